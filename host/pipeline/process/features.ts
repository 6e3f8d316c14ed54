/**
 * Per-window power-quality features of a voltage waveform, defined to mean the same thing at any nominal
 * voltage, mains frequency and sampling rate (feature definitions version FEATURE_VERSION):
 * - magnitudes are per unit of the nominal RMS voltage, frequency is a deviation from the nominal mains
 *   frequency in %, harmonic content is relative to the fundamental;
 * - statistics that white noise inflates more at low sampling rates (a one-cycle RMS over 20 samples
 *   scatters 2.5x more than over 128) are corrected by the window's own noise level, estimated robustly
 *   from the fundamental-notched residual, so a normal window gives the same values at 1000 and 6400 Hz.
 * THD is THD_F (IEC 61000-4-7: RMS of harmonics 2..H over the fundamental), from a least-squares fit at the
 * measured frequency over the window, less the share that the noise puts into those bins.
 */
import { harmonicCap } from '../../dsp/goertzel.ts';
import { estimateFrequency } from '../../dsp/frequency.ts';
import { flickerDepth, rmsEnvelope, type EnvelopeStats } from '../../dsp/envelope.ts';
import { medianAbs, removeHarmonics } from '../../dsp/phasors.ts';

/** Version of the feature definitions below; a model records it and refuses data of another version. */
export const FEATURE_VERSION = 2;
export const WAVEFORM_FEATURE_SET = `waveform-${FEATURE_VERSION}`;

/** Feature names, in the order `waveformFeatures` writes them. Units are in the names. */
export const WAVEFORM_FEATURES: readonly string[] = Object.freeze([
  'rms_pu', // RMS over the whole window / nominal
  'thd_f_pct', // THD_F, harmonics 2..min(40, below Nyquist), noise share removed, %
  'crest_factor', // peak of the steady-state waveform (fundamental + harmonics) / RMS
  'freq_dev_pct', // (measured fundamental - nominal mains) / nominal mains, %
  'urms_min_pu', // IEC 61000-4-30 Urms(1/2) (one-cycle RMS every half cycle), minimum, noise-corrected, pu
  'urms_max_pu', // ... maximum
  'urms_spread_pu', // max - min, less what the noise alone spreads it by, pu
  'urms_spread_z', // spread / (one-cycle RMS noise): ~4 for a steady supply at any rate
  'h3_pct', // individual harmonics, % of the fundamental, noise share removed
  'h5_pct',
  'h7_pct',
  'flicker_depth_pct', // largest 5-25 Hz modulation depth of the half-cycle RMS envelope, noise floor removed, %
  'noise_pct', // white-noise RMS (robust estimate) / fundamental RMS, %: 10 % at 20 dB SNR
  'nonharmonic_pct', // RMS not at DC or harmonics (noise, transients, envelope changes), % of fundamental
  'transient_z', // peak of the fundamental-notched residual over the largest that noise alone gives: ~1
  'peak_dev_pu', // largest deviation from the steady-state waveform beyond what noise reaches, pu of nominal peak
]);

export const THD_DEFINITION =
  'THD_F (IEC 61000-4-7): RMS of harmonics 2..H divided by the fundamental, a least-squares fit of the fundamental and its harmonics at the measured frequency over the window';

const F = WAVEFORM_FEATURES.length;
const MAX_ORDER = 40;
// Noise-only extremes of the one-cycle RMS (in units of its noise std) and of the flicker search, measured on
// normal synthetic windows (test/dsp/invariance.test.ts checks the result at 1000 and 6400 Hz).
const URMS_NOISE_EXTREME = 1.9;
const FLICKER_NOISE_FLOOR = 2.3;

let env = new Float64Array(64);
const stats: EnvelopeStats = { min: 0, max: 0, halfCycles: 0 };
const ha = new Float64Array(MAX_ORDER);
const hb = new Float64Array(MAX_ORDER);
let resid = new Float64Array(2048);
let notched = new Float64Array(2048);
let scratch = new Float64Array(2048);

/**
 * Features of one window; writes into `out` (and allocates nothing in steady state) when it is given.
 * `samplingRate`, `mainsHz` and `nominalV` are the nominal values; the window may be any length of at least
 * one cycle.
 */
export function waveformFeatures(samples: ArrayLike<number>, samplingRate: number, mainsHz: number, nominalV: number, out?: Float32Array): Float32Array {
  const o = out ?? new Float32Array(F);
  const n = samples.length;
  const freq = clampFrequency(estimateFrequency(samples, n, samplingRate, mainsHz), mainsHz);
  const vNom = nominalV > 0 ? nominalV : 1;

  let sumsq = 0;
  for (let i = 0; i < n; i++) sumsq += samples[i]! * samples[i]!;
  const rms = n > 0 ? Math.sqrt(sumsq / n) : 0;

  // The whole window: the fundamental is fitted exactly at the measured frequency (no whole-cycle cut that
  // would hide the last part of the window), harmonics are projected after it.
  const len = n;
  const orders = harmonicCap(samplingRate, freq, MAX_ORDER);
  if (resid.length < len) {
    resid = new Float64Array(len * 2);
    notched = new Float64Array(len * 2);
    scratch = new Float64Array(len * 2);
  }
  removeHarmonics(samples, len, freq, samplingRate, orders, ha, hb, resid);
  const hRms = (h: number): number => (h <= orders ? Math.sqrt(ha[h - 1]! * ha[h - 1]! + hb[h - 1]! * hb[h - 1]!) / Math.SQRT2 : 0);
  const fund = hRms(1);
  let hsq = 0;
  for (let h = 2; h <= orders; h++) hsq += hRms(h) ** 2;
  let rsq = 0, rpeak = 0, spk = 0;
  for (let i = 0; i < len; i++) {
    const v = resid[i]!;
    rsq += v * v;
    const a = v < 0 ? -v : v;
    if (a > rpeak) rpeak = a;
    // The steady-state waveform's own peak (the sample less its residual).
    const st = samples[i]! - v;
    const sa = st < 0 ? -st : st;
    if (sa > spk) spk = sa;
  }
  const residualRms = len > 0 ? Math.sqrt(rsq / len) : 0;

  // Noise: the residual through the 3-tap notch at the fundamental (which also cancels envelope steps except
  // at their edges); its median is blind to sparse impulses and notches. White noise of std s comes out with
  // std s * sqrt(2 + 4 cos^2 w).
  const w = (2 * Math.PI * freq) / samplingRate;
  const c = 2 * Math.cos(w);
  const gain = Math.sqrt(2 + c * c);
  let m = 0, epeak = 0;
  for (let i = 2; i < len; i++) {
    const e = resid[i]! - c * resid[i - 1]! + resid[i - 2]!;
    notched[m++] = e;
    const a = e < 0 ? -e : e;
    if (a > epeak) epeak = a;
  }
  const sigma = m > 0 ? medianAbs(notched, m, scratch) / 0.6745 / gain : 0;
  const rel = fund > 1e-9 ? 100 / fund : 0;

  const halfCycles = Math.ceil((2 * n * freq) / samplingRate) + 2;
  if (env.length < halfCycles) env = new Float64Array(halfCycles * 2);
  rmsEnvelope(samples, n, samplingRate, freq, env, stats);

  // Noise std of a one-cycle RMS (sigma / sqrt(samples per cycle)) and of a half-cycle one.
  const perCycle = samplingRate / freq;
  // Plus the ripple that interpolating fractional half-cycle boundaries leaves (it matters only at high SNR and
  // few samples per cycle: 16.7 at 1000 Hz, 60 Hz).
  const cycleNoise = Math.sqrt((sigma * sigma) / perCycle + ((0.15 * rms) / (perCycle * perCycle)) ** 2);
  const halfNoise = sigma / Math.sqrt(perCycle / 2);
  const lo = stats.min + URMS_NOISE_EXTREME * cycleNoise;
  const hi = stats.max - URMS_NOISE_EXTREME * cycleNoise;
  const spread = stats.max - stats.min;

  // Each harmonic bin holds noise of mean square 2 sigma^2 / len (RMS scale).
  const binNoise2 = (2 * sigma * sigma) / Math.max(1, len);
  const clean = (v2: number): number => Math.sqrt(Math.max(0, v2));

  o[0] = rms / vNom;
  o[1] = clean(hsq - (orders - 1) * binNoise2) * rel;
  o[2] = rms > 0 ? spk / rms : 0;
  o[3] = (100 * (freq - mainsHz)) / mainsHz;
  o[4] = Math.min(lo, stats.max) / vNom;
  o[5] = Math.max(hi, stats.min) / vNom;
  o[6] = Math.max(0, spread - 2 * URMS_NOISE_EXTREME * cycleNoise) / vNom;
  o[7] = cycleNoise > 0 ? Math.min(1e4, spread / cycleNoise) : 0;
  o[8] = clean(hRms(3) ** 2 - binNoise2) * rel;
  o[9] = clean(hRms(5) ** 2 - binNoise2) * rel;
  o[10] = clean(hRms(7) ** 2 - binNoise2) * rel;
  const depth = flickerDepth(env, stats.halfCycles, mainsHz);
  const mean = rms > 0 ? rms : 1;
  const floor = stats.halfCycles > 0 ? (FLICKER_NOISE_FLOOR * (halfNoise / mean) * Math.sqrt(2 / stats.halfCycles)) : 0;
  o[11] = 100 * clean(depth * depth - floor * floor);
  o[12] = sigma * rel;
  o[13] = residualRms * rel;
  // Extremes of noise grow like sqrt(2 ln N) with the samples in the window: divide (z) or take away (pu) that.
  const extreme = Math.sqrt(2 * Math.log(Math.max(2, m)));
  o[14] = sigma > 0 ? Math.min(1e4, epeak / (sigma * gain * extreme)) : 0;
  o[15] = Math.max(0, rpeak - extreme * sigma) / (Math.SQRT2 * vNom);
  return o;
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

/** The nominal voltage a meter of this mains frequency has unless told otherwise (230 V / 120 V). */
export function defaultNominalVoltage(mainsHz: number): number {
  return mainsHz === 60 ? 120 : 230;
}
