/** The window generator: condition and class choice, disturbance model, noise, load, and the meter's derived values. */
import { Rng } from './rng.ts';
import { PQ_CLASSES, PQ_COMBINATIONS, parseClasses } from './classes.ts';
import { drawModel, renderModel, unobservable, type ModelContext } from './disturbances.ts';
import { drawLoad, loadResponse } from './load.ts';
import { defaultNominalVoltage, waveformFeatures, WAVEFORM_FEATURES } from '../process/features.ts';

export type MainsChoice = 50 | 60 | 'both';

export interface SynthOptions {
  windows: number;
  seed: number;
  /** 50, 60, or both (each window draws one). Default 50. */
  mainsHz?: MainsChoice;
  /** One sampling rate, or a list each window draws from. Default 6400. */
  samplingRate?: number | number[];
  /** White-noise SNR range in dB, drawn per window (default [20, 50]). */
  snrDb?: [number, number];
  /** Share of windows that are `normal` (default 0.5). */
  normalRatio?: number;
  /** Share of windows that are not `normal` (the older spelling of 1 - normalRatio). */
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
  /** The window's conditions. */
  samplingRate: number;
  mainsHz: 50 | 60;
  nominalV: number;
  snrDb: number;
}

/** One sampling condition: a rate and a mains frequency, and the classes observable in it. */
export interface SynthCondition {
  samplingRate: number;
  mainsHz: 50 | 60;
  nominalV: number;
  cycles: number;
  samplesPerWindow: number;
  /** Indices into classes that can be drawn here, with their weights (normalised). */
  drawable: number[];
  weights: number[];
}

/** Resolved generator settings, also written to the sidecar. */
export interface SynthSettings {
  windows: number;
  seed: number;
  mainsHz: (50 | 60)[];
  samplingRates: number[];
  nominalV: { 50?: number; 60?: number };
  snrDb: [number, number];
  normalRatio: number;
  classes: string[];
  conditions: SynthCondition[];
  /** "class at rate/mains: why" for every class left out of a condition. */
  unobservable: string[];
}

export const MIN_SAMPLING_RATE = 1000;
/** The conditions the default model is trained on. */
export const DEFAULT_TRAIN_RATES = [1000, 2000, 3200, 6400];
const EPOCH_MS = Date.UTC(2024, 0, 1);

export function resolveSettings(opts: SynthOptions): SynthSettings {
  const mainsOpt = opts.mainsHz ?? 50;
  if (mainsOpt !== 50 && mainsOpt !== 60 && mainsOpt !== 'both') throw new Error(`mains frequency must be 50, 60 or both, not ${String(mainsOpt)}`);
  const mains: (50 | 60)[] = mainsOpt === 'both' ? [50, 60] : [mainsOpt];
  const rates = Array.isArray(opts.samplingRate) ? opts.samplingRate : [opts.samplingRate ?? 6400];
  if (!rates.length) throw new Error('no sampling rate given');
  for (const r of rates) if (!(r >= MIN_SAMPLING_RATE)) throw new Error(`sampling rate must be at least ${MIN_SAMPLING_RATE} Hz, not ${r}`);
  if (!Number.isInteger(opts.windows) || opts.windows < 1) throw new Error(`windows must be a positive integer, not ${opts.windows}`);
  const snrDb = opts.snrDb ?? [20, 50];
  if (!(snrDb[0] <= snrDb[1])) throw new Error(`SNR range must be low-high, not ${snrDb.join('-')}`);
  const classes = opts.classes ?? [...PQ_CLASSES, ...(opts.combinations ? PQ_COMBINATIONS : [])];
  const parts = parseClasses(classes);
  if (opts.normalRatio !== undefined && opts.anomalyRatio !== undefined) throw new Error('give the normal ratio or the anomaly ratio, not both');
  const hasNormal = classes.includes('normal');
  const anomalies = classes.filter((c) => c !== 'normal').length;
  // Half the windows normal by default (a false alarm matters as much as a miss), or all of one kind.
  const normalRatio = opts.normalRatio ?? (opts.anomalyRatio !== undefined ? 1 - opts.anomalyRatio : !hasNormal ? 0 : anomalies === 0 ? 1 : 0.5);
  if (!(normalRatio >= 0 && normalRatio <= 1)) throw new Error(`normal ratio must be within 0..1, not ${normalRatio}`);
  if (!hasNormal && normalRatio > 0) throw new Error('a normal ratio above 0 needs the "normal" class');
  if (anomalies === 0 && normalRatio < 1) throw new Error('a normal ratio below 1 needs an anomaly class');
  if (opts.nominalV !== undefined && !(opts.nominalV > 0)) throw new Error(`nominal voltage must be positive, not ${opts.nominalV}`);

  const nominalV: { 50?: number; 60?: number } = {};
  for (const m of mains) nominalV[m] = opts.nominalV ?? defaultNominalVoltage(m);
  const conditions: SynthCondition[] = [];
  const dropped: string[] = [];
  for (const m of mains) {
    for (const fs of [...new Set(rates)]) {
      const drawable: number[] = [];
      classes.forEach((c, i) => {
        const why = parts[i]!.map((p) => unobservable(p, fs, m)).find((r) => r !== null);
        if (why) dropped.push(`${c} at ${fs} Hz / ${m} Hz: ${why}`);
        else drawable.push(i);
      });
      const anomaliesHere = drawable.filter((i) => classes[i] !== 'normal').length;
      const weights = drawable.map((i) => (classes[i] === 'normal' ? normalRatio : anomaliesHere ? (1 - normalRatio) / anomaliesHere : 0));
      const sum = weights.reduce((a, b) => a + b, 0) || 1;
      const cycles = m === 50 ? 10 : 12;
      conditions.push({ samplingRate: fs, mainsHz: m, nominalV: nominalV[m]!, cycles, samplesPerWindow: Math.round((cycles * fs) / m), drawable, weights: weights.map((w) => w / sum) });
    }
  }
  return { windows: opts.windows, seed: opts.seed >>> 0, mainsHz: mains, samplingRates: [...new Set(rates)], nominalV, snrDb: [snrDb[0], snrDb[1]], normalRatio, classes: [...classes], conditions, unobservable: dropped };
}

/**
 * Generates windows lazily; `notes` (if given) collects the limits applied (observability caps and the like).
 * Window i depends only on (seed, i, settings). Each window draws its condition, then a class observable in it.
 */
export function* synthesizeWindows(opts: SynthOptions, notes: Set<string> = new Set()): Iterable<SynthWindow> {
  const s = resolveSettings(opts);
  for (const d of s.unobservable) notes.add(`not generated: ${d}`);
  const parts = s.classes.map((c) => c.split('+'));
  const features = new Float32Array(WAVEFORM_FEATURES.length);
  let clean = new Float64Array(0);
  for (let index = 0; index < s.windows; index++) {
    const rng = Rng.forWindow(s.seed, index);
    const cond = s.conditions.length > 1 ? s.conditions[Math.min(s.conditions.length - 1, Math.floor(rng.next() * s.conditions.length))]! : s.conditions[0]!;
    if (!cond.drawable.length) throw new Error(`no class of ${s.classes.join(', ')} is observable at ${cond.samplingRate} Hz / ${cond.mainsHz} Hz`);
    const k = cond.drawable[pickWeighted(cond.weights, rng.next())]!;
    const ctx: ModelContext = { mainsHz: cond.mainsHz, samplingRate: cond.samplingRate, cycles: cond.cycles, notes };
    const model = drawModel(parts[k]!, rng, ctx);
    if (clean.length !== cond.samplesPerWindow) clean = new Float64Array(cond.samplesPerWindow);
    renderModel(model, cond.samplingRate, clean);
    const a = cond.nominalV * Math.SQRT2 * rng.uniform(0.97, 1.03);
    let power = 0;
    for (let i = 0; i < clean.length; i++) power += clean[i]! * clean[i]!;
    power /= clean.length;
    const snr = rng.uniform(s.snrDb[0], s.snrDb[1]);
    const sigma = Math.sqrt(power / 10 ** (snr / 10));
    const voltage = new Float32Array(clean.length);
    for (let i = 0; i < clean.length; i++) voltage[i] = a * (clean[i]! + sigma * rng.gauss());
    waveformFeatures(voltage, cond.samplingRate, cond.mainsHz, cond.nominalV, features);
    const load = drawLoad(rng);
    const vRms = features[0]! * cond.nominalV;
    const { current, activePower } = loadResponse(load, vRms, cond.nominalV, rng);
    const cls = s.classes[k]!;
    yield {
      index,
      time: formatTime(EPOCH_MS + index * 1000),
      cls,
      target: cls === 'normal' ? 0 : 1,
      voltage,
      current,
      activePower,
      thd: features[1]! / 100,
      // The meter's frequency reading: the true frequency to its 0.01 Hz resolution.
      frequency: Math.round(model.freq * 100) / 100,
      samplingRate: cond.samplingRate,
      mainsHz: cond.mainsHz,
      nominalV: cond.nominalV,
      // Truncated, not rounded: a window drawn just under a band edge (29.999 dB) stays in its band.
      snrDb: Math.floor(snr * 100) / 100,
    };
  }
}

function pickWeighted(weights: number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    if (u < acc) return i;
  }
  return weights.length - 1;
}

/** "2024-01-01 00:00:01", the prototype's time format (UTC). */
function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
