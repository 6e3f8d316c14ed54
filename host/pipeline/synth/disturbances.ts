/**
 * Disturbance models, implemented from the equations in the power-quality notes (IEEE 1159 classes, the
 * parameter ranges of Igual et al., ICHQP 2018, with IEEE 1159's for transients: oscillatory below 5 kHz,
 * 0.3-50 ms, up to 4 pu; millisecond impulses of several pu). A window is composed as
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
  /** Double-exponential pulse: time constants in s. */
  impulse?: { amp: number; t1: number; rise: number; decay: number };
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
          if (order * f0 >= OBSERVABLE_FRACTION * ctx.samplingRate) {
            ctx.notes.add(`harmonic ${order} of ${f0} Hz not generated at ${ctx.samplingRate} Hz: at or above 0.4 x the sampling rate`);
            continue;
          }
          m.harmonics.push({ order, amp: rng.uniform(0.05, 0.15), phase: rng.uniform(0, 2 * Math.PI) });
        }
        break;
      case 'flicker':
        m.flicker = { depth: rng.uniform(0.05, 0.1), freq: rng.uniform(8, 25), phase: rng.uniform(0, 2 * Math.PI) };
        break;
      case 'oscillatory_transient': {
        // IEEE 1159 low-frequency oscillatory transient: below 5 kHz, 0.3-50 ms, 0-4 pu; here also above 300 Hz
        // (Igual et al.'s lower bound) and within what the rate can show (ringing < 0.4 fs, >= 3 samples).
        const r = oscillatoryRanges(ctx.samplingRate);
        const d = rng.uniform(r.minDuration, r.maxDuration);
        const t1 = rng.uniform(0, Math.max(0, n * T - d));
        m.oscillatory = { amp: rng.uniform(0.1, 4), freq: rng.uniform(r.minFreq, r.maxFreq), tau: d / rng.uniform(1, 3), t1, t2: t1 + d };
        break;
      }
      case 'impulsive_transient': {
        // IEEE 1159 millisecond impulse: over 1 ms, several pu; rise no faster than the rate can show.
        const r = impulseRanges(ctx.samplingRate);
        const d = rng.uniform(r.minDuration, r.maxDuration);
        m.impulse = { amp: rng.uniform(1, 4) * (rng.next() < 0.5 ? -1 : 1), t1: rng.uniform(0, n * T - d), rise: r.rise, decay: d / Math.LN2 };
        break;
      }
      case 'notch': {
        const perCycle = rng.pick([1, 2, 4, 6]);
        const minWidth = Math.max(0.01 * T, MIN_SAMPLES / ctx.samplingRate);
        m.notch = { depth: rng.uniform(0.1, 0.4), perCycle, width: rng.uniform(minWidth, 0.05 * T), offset: rng.uniform(0, T / perCycle) };
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

/** Shares of the sampling rate and samples a disturbance needs to be observable at all. */
export const OBSERVABLE_FRACTION = 0.4;
export const MIN_SAMPLES = 3;

/** Ringing frequency and duration ranges of an oscillatory transient at this rate. */
export function oscillatoryRanges(fs: number): { minFreq: number; maxFreq: number; minDuration: number; maxDuration: number } {
  return { minFreq: 300, maxFreq: Math.min(5000, OBSERVABLE_FRACTION * fs), minDuration: Math.max(0.0003, MIN_SAMPLES / fs), maxDuration: 0.05 };
}

/**
 * Millisecond impulse at this rate: 50 % duration 1-5 ms (at least 3 samples); the rise time constant is
 * 0.05 ms, or slower where the rate could not show it (its corner frequency 1/(2 pi rise) below 0.4 fs).
 */
export function impulseRanges(fs: number): { minDuration: number; maxDuration: number; rise: number } {
  return { minDuration: Math.max(0.001, MIN_SAMPLES / fs), maxDuration: 0.005, rise: Math.max(0.00005, 1 / (2 * Math.PI * OBSERVABLE_FRACTION * fs)) };
}

/**
 * Why a class part cannot be observed at this sampling rate and mains frequency (null when it can): a
 * disturbance counts only where its frequency is below 0.4 x the rate and it lasts at least 3 samples.
 */
export function unobservable(part: string, fs: number, mainsHz: number): string | null {
  switch (part) {
    case 'notch':
      return (0.05 * fs) / mainsHz < MIN_SAMPLES ? `notches (0.01-0.05 cycle wide) are under ${MIN_SAMPLES} samples at ${fs} Hz, ${mainsHz} Hz mains` : null;
    case 'harmonics':
      return 3 * mainsHz >= OBSERVABLE_FRACTION * fs ? `the 3rd harmonic is above 0.4 x ${fs} Hz` : null;
    case 'oscillatory_transient':
      return OBSERVABLE_FRACTION * fs <= 300 ? `ringing of 300 Hz and up is above 0.4 x ${fs} Hz` : null;
    default:
      return null;
  }
}

/** Scale that makes a double-exponential pulse peak at 1. */
function pulseNorm(rise: number, decay: number): number {
  const tPeak = (Math.log(decay / rise) * rise * decay) / (decay - rise);
  return 1 / (Math.exp(-tPeak / decay) - Math.exp(-tPeak / rise));
}

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
      if (dt < 8 * p.decay) v += p.amp * pulseNorm(p.rise, p.decay) * (Math.exp(-dt / p.decay) - Math.exp(-dt / p.rise));
    }
    out[i] = v;
  }
}
