/**
 * RMS envelopes of a mains waveform:
 * - half-cycle RMS (non-overlapping half periods): the envelope we search for flicker;
 * - Urms(1/2) of IEC 61000-4-30: RMS over one cycle, refreshed every half cycle: min/max/spread for sags,
 *   swells and interruptions.
 * Both come from one prefix sum of squares, so the cost is one pass over the samples.
 */

export interface EnvelopeStats {
  /** Urms(1/2) extremes over the window. */
  min: number;
  max: number;
  /** Half-cycle RMS values written into the caller's `env`. */
  halfCycles: number;
}

let prefix = new Float64Array(2048);

/**
 * Fills env[0..J) with half-cycle RMS values and returns Urms(1/2) min/max in `stats` (no allocation).
 * `freq` is the measured fundamental, so half cycles track it.
 */
export function rmsEnvelope(
  x: ArrayLike<number>,
  length: number,
  samplingRate: number,
  freq: number,
  env: Float64Array,
  stats: EnvelopeStats,
): EnvelopeStats {
  if (prefix.length < length + 1) prefix = new Float64Array(Math.max(length + 1, prefix.length * 2));
  let acc = 0;
  prefix[0] = 0;
  for (let n = 0; n < length; n++) {
    const v = x[n];
    acc += v * v;
    prefix[n + 1] = acc;
  }
  // Half-cycle boundaries are fractional (6400 Hz / 60 Hz = 53.3 samples): interpolate the prefix sum so
  // a clean sine gives a flat envelope at any rate.
  const half = samplingRate / (2 * freq);
  const count = Math.min(env.length, Math.floor(length / half + 1e-9));
  let prevPos = 0, prevS = 0;
  for (let j = 0; j < count; j++) {
    const pos = (j + 1) * half;
    const s = sumAt(x, length, pos);
    env[j] = Math.sqrt(Math.max(0, s - prevS) / (pos - prevPos));
    prevPos = pos;
    prevS = s;
  }
  let min = Infinity, max = -Infinity;
  let loS = 0;
  for (let j = 0; j + 2 <= count; j++) {
    const hiS = sumAt(x, length, (j + 2) * half);
    const r = Math.sqrt(Math.max(0, hiS - loS) / (2 * half));
    if (r < min) min = r;
    if (r > max) max = r;
    loS = sumAt(x, length, (j + 1) * half);
  }
  if (min === Infinity) {
    // Less than one cycle: fall back to the whole-window RMS.
    const r = length > 0 ? Math.sqrt(acc / length) : 0;
    min = max = r;
  }
  stats.min = min;
  stats.max = max;
  stats.halfCycles = count;
  return stats;
}

/** Sum of squares over [0, pos) with the last sample weighted by the fractional part. */
function sumAt(x: ArrayLike<number>, length: number, pos: number): number {
  if (pos >= length) return prefix[length];
  const i = Math.floor(pos);
  const v = x[i];
  return prefix[i] + (pos - i) * v * v;
}

/** Modulation frequencies searched for flicker (Hz): 1 Hz steps over the 5-25 Hz band. */
const FLICKER_LO = 5;
const FLICKER_HI = 25;

interface FlickerTable {
  cos: Float64Array;
  sin: Float64Array;
  freqs: number;
}
const flickerTables = new Map<number, FlickerTable>();

function flickerTable(count: number, mainsHz: number): FlickerTable {
  const key = count * 1000 + mainsHz;
  let t = flickerTables.get(key);
  if (t) return t;
  const freqs = FLICKER_HI - FLICKER_LO + 1;
  const cos = new Float64Array(freqs * count);
  const sin = new Float64Array(freqs * count);
  const envRate = 2 * mainsHz;
  for (let k = 0; k < freqs; k++) {
    const w = (2 * Math.PI * (FLICKER_LO + k)) / envRate;
    for (let j = 0; j < count; j++) {
      cos[k * count + j] = Math.cos(w * j);
      sin[k * count + j] = Math.sin(w * j);
    }
  }
  t = { cos, sin, freqs };
  flickerTables.set(key, t);
  return t;
}

/**
 * Flicker envelope measure: the largest relative modulation depth of the half-cycle RMS envelope at 5-25 Hz
 * (the band of the flicker model, 8-25 Hz, plus a margin), i.e. about `l` for (1 + l sin(2 pi ff t)) sin(wt).
 * A sag's step also has low-frequency content; trees tell them apart with the Urms(1/2) spread.
 */
export function flickerDepth(env: Float64Array, count: number, mainsHz: number): number {
  if (count < 4) return 0;
  let mean = 0;
  for (let j = 0; j < count; j++) mean += env[j];
  mean /= count;
  if (mean <= 0) return 0;
  const t = flickerTable(count, mainsHz);
  let best = 0;
  for (let k = 0; k < t.freqs; k++) {
    let re = 0, im = 0;
    const base = k * count;
    for (let j = 0; j < count; j++) {
      const v = env[j] - mean;
      re += v * t.cos[base + j];
      im += v * t.sin[base + j];
    }
    const m = re * re + im * im;
    if (m > best) best = m;
  }
  return (2 * Math.sqrt(best)) / count / mean;
}
