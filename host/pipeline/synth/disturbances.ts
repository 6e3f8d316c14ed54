/**
 * Disturbance models, implemented from the equations in the power-quality notes (IEEE 1159 classes, the
 * parameter ranges of Igual et al., ICHQP 2018). A window is composed as
 *   v(t) = A * envelope(t) * [shape(t)] + A * additive(t) + noise
 * where shape is the fundamental plus harmonics minus notches, the envelope carries sag / swell /
 * interruption / flicker, and transients are additive. A combination ("sag+harmonics") draws each part.
 */
import type { Rng } from './rng.ts';

export interface WindowModel {
  /** Fundamental frequency (Hz) and phase (rad). */
  freq: number;
  phase: number;
  harmonics: Array<{ order: number; amp: number; phase: number }>;
  /** u(t) steps: sag (1 - a u), swell (1 + b u), interruption (1 - r u). */
  steps: Array<{ gain: number; t1: number; t2: number }>;
  flicker?: { depth: number; freq: number; phase: number };
  notch?: { depth: number; perCycle: number; width: number; offset: number };
  oscillatory?: { amp: number; freq: number; tau: number; t1: number; t2: number };
  impulse?: { amp: number; t1: number };
}

export interface ModelContext {
  mainsHz: number;
  samplingRate: number;
  /** Cycles in the window (10 at 50 Hz, 12 at 60 Hz). */
  cycles: number;
  /** Notes about limits applied, collected once for the output. */
  notes: Set<string>;
}

/** Draws the parameters of one window of the given class parts. */
export function drawModel(parts: readonly string[], rng: Rng, ctx: ModelContext): WindowModel {
  const f0 = ctx.mainsHz;
  const T = 1 / f0;
  const n = ctx.cycles;
  const m: WindowModel = {
    // Normal supply: within +-0.2 % of nominal (EN 50160 allows +-1 %).
    freq: f0 * (1 + rng.uniform(-0.002, 0.002)),
    phase: rng.uniform(0, 2 * Math.PI),
    harmonics: [],
    steps: [],
  };
  /** u(t): a rectangle of 1 to n-1 cycles at a random place in the window. */
  const rect = (): { t1: number; t2: number } => {
    const d = rng.uniform(1, n - 1) * T;
    const t1 = rng.uniform(0, n * T - d);
    return { t1, t2: t1 + d };
  };
  for (const p of parts) {
    switch (p) {
      case 'normal':
        break;
      case 'sag':
        m.steps.push({ gain: -rng.uniform(0.1, 0.9), ...rect() });
        break;
      case 'swell':
        m.steps.push({ gain: rng.uniform(0.1, 0.8), ...rect() });
        break;
      case 'interruption':
        m.steps.push({ gain: -rng.uniform(0.9, 1), ...rect() });
        break;
      case 'harmonics':
        for (const order of [3, 5, 7]) {
          if (order * f0 >= ctx.samplingRate / 2) {
            ctx.notes.add(`harmonic ${order} dropped: at or above Nyquist at ${ctx.samplingRate} Hz`);
            continue;
          }
          m.harmonics.push({ order, amp: rng.uniform(0.05, 0.15), phase: rng.uniform(0, 2 * Math.PI) });
        }
        break;
      case 'flicker':
        m.flicker = { depth: rng.uniform(0.05, 0.1), freq: rng.uniform(8, 25), phase: rng.uniform(0, 2 * Math.PI) };
        break;
      case 'oscillatory_transient': {
        // Ringing below Nyquist: at 1000 Hz the 300-900 Hz range is cut to 300-450 Hz.
        const top = Math.min(900, 0.45 * ctx.samplingRate);
        if (top < 900) ctx.notes.add(`oscillatory transient frequency capped at ${top} Hz (below Nyquist at ${ctx.samplingRate} Hz)`);
        const d = rng.uniform(0.5, n / 3.33) * T;
        const t1 = rng.uniform(0, n * T - d);
        m.oscillatory = { amp: rng.uniform(0.1, 0.8), freq: rng.uniform(300, top), tau: rng.uniform(0.008, 0.04), t1, t2: t1 + d };
        break;
      }
      case 'impulsive_transient':
        m.impulse = { amp: rng.uniform(0.222, 1.11) * (rng.next() < 0.5 ? -1 : 1), t1: rng.uniform(0, n * T - 0.0015) };
        break;
      case 'notch': {
        const perCycle = rng.pick([1, 2, 4, 6]);
        m.notch = { depth: rng.uniform(0.1, 0.4), perCycle, width: rng.uniform(0.01, 0.05) * T, offset: rng.uniform(0, T / perCycle) };
        break;
      }
      case 'frequency_deviation':
        // Outside EN 50160's 49.5-50.5 Hz (+-1 %) band but inside its 47-52 Hz (-6/+4 %) "always" band.
        m.freq = rng.next() < 0.5 ? f0 * rng.uniform(0.94, 0.988) : f0 * rng.uniform(1.012, 1.04);
        break;
      default:
        throw new Error(`no model for class part "${p}"`);
    }
  }
  return m;
}

// Impulse shape: double exponential, rise 0.08 ms, decay 0.35 ms (about 1 ms long), peak normalised to 1.
const TAU_RISE = 0.00008;
const TAU_DECAY = 0.00035;
const T_PEAK = (Math.log(TAU_DECAY / TAU_RISE) * TAU_RISE * TAU_DECAY) / (TAU_DECAY - TAU_RISE);
const PULSE_NORM = 1 / (Math.exp(-T_PEAK / TAU_DECAY) - Math.exp(-T_PEAK / TAU_RISE));

/** Renders the model into `out` (in per-unit of the amplitude A; the caller scales). */
export function renderModel(m: WindowModel, samplingRate: number, out: Float64Array): void {
  const w = 2 * Math.PI * m.freq;
  const period = 1 / m.freq;
  for (let i = 0; i < out.length; i++) {
    const t = i / samplingRate;
    const theta = w * t - m.phase;
    const s = Math.sin(theta);
    let shape = s;
    for (const h of m.harmonics) shape += h.amp * Math.sin(h.order * theta - h.phase);
    if (m.notch) {
      // Commutation notches: -sign(sin) * k over `width`, perCycle times per cycle.
      const spacing = period / m.notch.perCycle;
      const local = (((t - m.notch.offset) % spacing) + spacing) % spacing;
      if (local < m.notch.width) shape -= Math.sign(s) * m.notch.depth;
    }
    let env = 1;
    for (const st of m.steps) if (t >= st.t1 && t < st.t2) env += st.gain;
    if (m.flicker) env *= 1 + m.flicker.depth * Math.sin(2 * Math.PI * m.flicker.freq * t + m.flicker.phase);
    let v = env * shape;
    const o = m.oscillatory;
    if (o && t >= o.t1 && t < o.t2) {
      const dt = t - o.t1;
      v += o.amp * Math.exp(-dt / o.tau) * Math.sin(2 * Math.PI * o.freq * dt);
    }
    const p = m.impulse;
    if (p && t >= p.t1) {
      const dt = t - p.t1;
      if (dt < 0.005) v += p.amp * PULSE_NORM * (Math.exp(-dt / TAU_DECAY) - Math.exp(-dt / TAU_RISE));
    }
    out[i] = v;
  }
}
