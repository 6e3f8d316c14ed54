/** The window generator: class choice, disturbance model, noise, load, and the meter's derived values. */
import { Rng } from './rng.ts';
import { PQ_CLASSES, PQ_COMBINATIONS, parseClasses } from './classes.ts';
import { drawModel, renderModel, type ModelContext } from './disturbances.ts';
import { drawLoad, loadResponse } from './load.ts';
import { waveformFeatures, WAVEFORM_FEATURES } from '../process/features.ts';

export interface SynthOptions {
  windows: number;
  seed: number;
  mainsHz?: 50 | 60;
  samplingRate?: number;
  /** White-noise SNR range in dB, drawn per window (default [20, 50]). */
  snrDb?: [number, number];
  /** Share of windows that are not `normal`; unset = every class equally likely. */
  anomalyRatio?: number;
  classes?: string[];
  /** Add the PQ_COMBINATIONS classes to the default class list. */
  combinations?: boolean;
  /** Nominal RMS voltage (default 230 V at 50 Hz, 120 V at 60 Hz). */
  nominalV?: number;
}

export interface SynthWindow {
  index: number;
  time: string;
  cls: string;
  target: 0 | 1;
  voltage: Float32Array;
  current: number;
  activePower: number;
  /** THD_F as a ratio (0.05 = 5 %), fundamental-referenced, IEC 61000-4-7 bins. */
  thd: number;
  frequency: number;
}

/** Resolved generator settings, also written to the sidecar. */
export interface SynthSettings {
  windows: number;
  seed: number;
  mainsHz: 50 | 60;
  samplingRate: number;
  cycles: number;
  samplesPerWindow: number;
  nominalV: number;
  snrDb: [number, number];
  anomalyRatio: number | null;
  classes: string[];
  weights: number[];
}

export const MIN_SAMPLING_RATE = 1000;
const EPOCH_MS = Date.UTC(2024, 0, 1);

export function resolveSettings(opts: SynthOptions): SynthSettings {
  const mainsHz = opts.mainsHz ?? 50;
  if (mainsHz !== 50 && mainsHz !== 60) throw new Error(`mains frequency must be 50 or 60 Hz, not ${mainsHz}`);
  const samplingRate = opts.samplingRate ?? 6400;
  if (!(samplingRate >= MIN_SAMPLING_RATE)) throw new Error(`sampling rate must be at least ${MIN_SAMPLING_RATE} Hz, not ${samplingRate}`);
  if (!Number.isInteger(opts.windows) || opts.windows < 1) throw new Error(`windows must be a positive integer, not ${opts.windows}`);
  const snrDb = opts.snrDb ?? [20, 50];
  if (!(snrDb[0] <= snrDb[1])) throw new Error(`SNR range must be low,high, not ${snrDb.join(',')}`);
  const classes = opts.classes ?? [...PQ_CLASSES, ...(opts.combinations ? PQ_COMBINATIONS : [])];
  parseClasses(classes);
  const r = opts.anomalyRatio;
  let weights: number[];
  if (r === undefined) {
    weights = classes.map(() => 1 / classes.length);
  } else {
    if (!(r >= 0 && r <= 1)) throw new Error(`anomaly ratio must be within 0..1, not ${r}`);
    const anomalies = classes.filter((c) => c !== 'normal').length;
    if (!classes.includes('normal') && r < 1) throw new Error('an anomaly ratio below 1 needs the "normal" class');
    if (anomalies === 0 && r > 0) throw new Error('an anomaly ratio above 0 needs an anomaly class');
    weights = classes.map((c) => (c === 'normal' ? 1 - r : r / anomalies));
  }
  const cycles = mainsHz === 50 ? 10 : 12;
  return {
    windows: opts.windows,
    seed: opts.seed >>> 0,
    mainsHz,
    samplingRate,
    cycles,
    samplesPerWindow: Math.round((cycles * samplingRate) / mainsHz),
    nominalV: opts.nominalV ?? (mainsHz === 50 ? 230 : 120),
    snrDb: [snrDb[0], snrDb[1]],
    anomalyRatio: r ?? null,
    classes: [...classes],
    weights,
  };
}

/**
 * Generates windows lazily; `notes` (if given) collects the limits applied (Nyquist caps and the like).
 * Window i depends only on (seed, i, settings).
 */
export function* synthesizeWindows(opts: SynthOptions, notes: Set<string> = new Set()): Iterable<SynthWindow> {
  const s = resolveSettings(opts);
  const parts = s.classes.map((c) => c.split('+'));
  const ctx: ModelContext = { mainsHz: s.mainsHz, samplingRate: s.samplingRate, cycles: s.cycles, notes };
  const clean = new Float64Array(s.samplesPerWindow);
  const features = new Float32Array(WAVEFORM_FEATURES.length);
  const amplitude = s.nominalV * Math.SQRT2;
  for (let index = 0; index < s.windows; index++) {
    const rng = Rng.forWindow(s.seed, index);
    const k = pickWeighted(s.weights, rng.next());
    const model = drawModel(parts[k], rng, ctx);
    renderModel(model, s.samplingRate, clean);
    const a = amplitude * rng.uniform(0.97, 1.03);
    let power = 0;
    for (let i = 0; i < clean.length; i++) power += clean[i] * clean[i];
    power /= clean.length;
    const snr = rng.uniform(s.snrDb[0], s.snrDb[1]);
    const sigma = Math.sqrt(power / 10 ** (snr / 10));
    const voltage = new Float32Array(clean.length);
    for (let i = 0; i < clean.length; i++) voltage[i] = a * (clean[i] + sigma * rng.gauss());
    waveformFeatures(voltage, s.samplingRate, s.mainsHz, features);
    const load = drawLoad(rng);
    const { current, activePower } = loadResponse(load, features[0], s.nominalV, rng);
    const cls = s.classes[k];
    yield {
      index,
      time: formatTime(EPOCH_MS + index * 1000),
      cls,
      target: cls === 'normal' ? 0 : 1,
      voltage,
      current,
      activePower,
      thd: features[1] / 100,
      // The meter's frequency reading: the true frequency to its 0.01 Hz resolution.
      frequency: Math.round(model.freq * 100) / 100,
    };
  }
}

function pickWeighted(weights: number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i];
    if (u < acc) return i;
  }
  return weights.length - 1;
}

/** "2024-01-01 00:00:01", the prototype's time format (UTC). */
function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
