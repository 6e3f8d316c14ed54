/**
 * Per-window power-quality features of a voltage waveform. THD is THD_F (IEC 61000-4-7: RMS of harmonics
 * 2..H over the fundamental) from exact DFT bins over a window of whole cycles of the measured frequency.
 */
import { harmonicCap, harmonicRms, harmonicScratchLength } from '../../dsp/goertzel.ts';
import { estimateFrequency } from '../../dsp/frequency.ts';
import { flickerDepth, rmsEnvelope, type EnvelopeStats } from '../../dsp/envelope.ts';

/** Feature names, in the order `waveformFeatures` writes them. Units are in the names. */
export const WAVEFORM_FEATURES: readonly string[] = Object.freeze([
  'rms_v', // RMS over the whole window
  'thd_f_pct', // THD_F, fundamental-referenced, harmonics 2..min(40, below Nyquist), in %
  'crest_factor', // peak |v| / RMS
  'frequency_hz', // measured fundamental
  'urms_half_min_v', // IEC 61000-4-30 Urms(1/2): one-cycle RMS refreshed every half cycle, minimum
  'urms_half_max_v', // ... maximum
  'urms_half_spread_v', // max - min
  'h3_pct', // individual harmonics, % of the fundamental
  'h5_pct',
  'h7_pct',
  'flicker_depth_pct', // largest 5-25 Hz modulation depth of the half-cycle RMS envelope, %
  'nonharmonic_pct', // RMS not at DC or harmonic bins 1..H (noise, transients, interharmonics), % of fundamental
  'transient_peak_pct', // peak of the fundamental-notched signal (x[n] - 2cos(w)x[n-1] + x[n-2]), % of fundamental peak
]);

export const THD_DEFINITION =
  'THD_F (IEC 61000-4-7): RMS of harmonics 2..H divided by the fundamental, exact DFT bins over whole cycles of the measured frequency';

const F = WAVEFORM_FEATURES.length;
const MAX_ORDER = 40;
const harm = new Float64Array(harmonicScratchLength(MAX_ORDER));
let env = new Float64Array(64);
const stats: EnvelopeStats = { min: 0, max: 0, halfCycles: 0 };

/**
 * Features of one window; writes into `out` (and allocates nothing) when it is given.
 * `samplingRate` and `mainsHz` are the nominal values; the window may be any length of at least one cycle.
 */
export function waveformFeatures(samples: Float32Array, samplingRate: number, mainsHz: number, out?: Float32Array): Float32Array {
  const o = out ?? new Float32Array(F);
  const n = samples.length;
  const freq = clampFrequency(estimateFrequency(samples, n, samplingRate, mainsHz), mainsHz);

  let peak = 0, sumsq = 0;
  for (let i = 0; i < n; i++) {
    const v = samples[i];
    sumsq += v * v;
    const a = v < 0 ? -v : v;
    if (a > peak) peak = a;
  }
  const rms = n > 0 ? Math.sqrt(sumsq / n) : 0;

  // Whole cycles of the measured fundamental: harmonic h then sits exactly on bin h*cycles.
  const cycles = Math.max(1, Math.floor((n * freq) / samplingRate + 1e-9));
  const len = Math.min(n, Math.round((cycles * samplingRate) / freq));
  const orders = harmonicCap(samplingRate, freq, MAX_ORDER);
  harmonicRms(samples, 0, len, cycles, orders, harm);
  const fund = harm[0];
  let hsq = 0;
  for (let h = 1; h < orders; h++) hsq += harm[h] * harm[h];
  let sum = 0, sq = 0;
  for (let i = 0; i < len; i++) {
    const v = samples[i];
    sum += v;
    sq += v * v;
  }
  const dc = len > 0 ? sum / len : 0;
  const residual = len > 0 ? sq / len - dc * dc - fund * fund - hsq : 0;
  const rel = fund > 1e-9 ? 100 / fund : 0;

  const halfCycles = Math.ceil((2 * n * freq) / samplingRate) + 2;
  if (env.length < halfCycles) env = new Float64Array(halfCycles * 2);
  rmsEnvelope(samples, n, samplingRate, freq, env, stats);

  o[0] = rms;
  o[1] = Math.sqrt(hsq) * rel;
  o[2] = rms > 0 ? peak / rms : 0;
  o[3] = freq;
  o[4] = stats.min;
  o[5] = stats.max;
  o[6] = stats.max - stats.min;
  o[7] = orders >= 3 ? harm[2] * rel : 0;
  o[8] = orders >= 5 ? harm[4] * rel : 0;
  o[9] = orders >= 7 ? harm[6] * rel : 0;
  o[10] = 100 * flickerDepth(env, stats.halfCycles, mainsHz);
  o[11] = residual > 0 ? Math.sqrt(residual) * rel : 0;
  o[12] = (transientPeak(samples, n, (2 * Math.PI * freq) / samplingRate) * rel) / Math.SQRT2;
  return o;
}

/**
 * Largest output of the second-order FIR notch at the fundamental: a clean sine gives zero, so steps,
 * impulses and ringing stand out as spikes that an RMS measure would average away.
 */
function transientPeak(x: Float32Array, n: number, w: number): number {
  const c = 2 * Math.cos(w);
  let peak = 0;
  for (let i = 2; i < n; i++) {
    const e = x[i] - c * x[i - 1] + x[i - 2];
    const a = e < 0 ? -e : e;
    if (a > peak) peak = a;
  }
  return peak;
}

/** A window with no usable fundamental can yield a wild estimate; keep it within +-20 %. */
function clampFrequency(f: number, mainsHz: number): number {
  if (!(f > mainsHz * 0.8)) return mainsHz * 0.8;
  if (f > mainsHz * 1.2) return mainsHz * 1.2;
  return f;
}

/** Highest harmonic order the THD uses at this rate (40, or fewer below Nyquist). */
export function thdOrders(samplingRate: number, mainsHz: number): number {
  return harmonicCap(samplingRate, mainsHz, MAX_ORDER);
}
