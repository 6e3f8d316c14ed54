/**
 * Where a model is valid, and whether some data is inside: the training conditions a model records
 * (model.json `conditions`, model.bin's condition block) against the conditions of the data given to it.
 * Pure: callers decide to refuse (the default) or to go on with a warning (--force).
 */
import type { Dataset } from '../pipeline/dataset.ts';
import type { ModelConditions } from '../forest/model.ts';

export type { ModelConditions };

/** SNR in dB a window's noise level (noise RMS, % of the fundamental) stands for. */
export function snrFromNoisePct(noisePct: number): number {
  return noisePct > 0 ? 20 * Math.log10(100 / noisePct) : Infinity;
}

/** Margins: SNR may be this much below the training range before it counts as outside. */
const SNR_MARGIN_DB = 3;

/** The conditions of a training data set (and the feature set its columns come from). */
export function conditionsOf(ds: Dataset, featureSet: string, fallback: Partial<ModelConditions> = {}): ModelConditions {
  const c = ds.conditions;
  const uniq = (a: ArrayLike<number>): number[] => [...new Set(Array.from(a).filter((v) => v === v))].sort((x, y) => x - y);
  if (!c) {
    return { featureSet, samplingRates: fallback.samplingRates ?? [], mainsFrequencies: fallback.mainsFrequencies ?? [], nominalVoltages: fallback.nominalVoltages ?? [], ...(fallback.snrDb ? { snrDb: fallback.snrDb } : {}) };
  }
  const snr = Array.from(c.snrDb).filter((v) => v === v);
  let snrDb: [number, number] | undefined = snr.length ? [Math.floor(Math.min(...snr)), Math.ceil(Math.max(...snr))] : fallback.snrDb;
  if (!snrDb) {
    const i = ds.featureNames.indexOf('noise_pct');
    if (i >= 0) {
      const est = sortedEstimates(ds, i);
      if (est.length) snrDb = [Math.floor(est[Math.floor(0.02 * (est.length - 1))]!), Math.ceil(est[Math.floor(0.98 * (est.length - 1))]!)];
    }
  }
  return { featureSet, samplingRates: uniq(c.samplingRate), mainsFrequencies: uniq(c.mainsHz), nominalVoltages: uniq(c.nominalV), ...(snrDb ? { snrDb } : {}) };
}

function sortedEstimates(ds: Dataset, col: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < ds.nRows; r++) {
    const s = snrFromNoisePct(ds.X[r * ds.nFeatures + col]!);
    if (Number.isFinite(s)) out.push(s);
  }
  return out.sort((a, b) => a - b);
}

export interface ConditionCheck {
  /** Reasons the data is outside the model's conditions (refused unless forced). */
  outside: string[];
  /** Things worth saying that do not make the data invalid. */
  warnings: string[];
  /** Rows outside (by rate or mains frequency). */
  rowsOutside: number;
}

/** Checks data (its per-row conditions, and what its features say) against a model's training conditions. */
export function checkConditions(model: ModelConditions | undefined, ds: Dataset, dataFeatureSet: string | undefined): ConditionCheck {
  const outside: string[] = [];
  const warnings: string[] = [];
  let rowsOutside = 0;
  if (!model) {
    warnings.push('the model records no training conditions (made before they were recorded): nothing to check the data against');
    return { outside, warnings, rowsOutside };
  }
  if (dataFeatureSet && dataFeatureSet !== model.featureSet) outside.push(`features are ${dataFeatureSet}, the model was trained on ${model.featureSet}`);
  const c = ds.conditions;
  const rates = model.samplingRates;
  if (c && rates.length) {
    const lo = rates[0]!, hi = rates[rates.length - 1]!;
    const bad = new Map<string, number>();
    for (let r = 0; r < ds.nRows; r++) {
      const fs = c.samplingRate[r]!;
      const m = c.mainsHz[r]!;
      const why = !(fs >= lo && fs <= hi) ? `${fs} Hz sampling (model: ${lo === hi ? lo : `${lo}-${hi}`} Hz)` : model.mainsFrequencies.length && !model.mainsFrequencies.includes(m) ? `${m} Hz mains (model: ${model.mainsFrequencies.join(', ')} Hz)` : '';
      if (why) {
        rowsOutside++;
        bad.set(why, (bad.get(why) ?? 0) + 1);
      }
    }
    for (const [why, n] of bad) outside.push(`${n} window(s) at ${why}`);
  }
  // What the features say, whatever the file claims: a wrong --sampling-rate moves every window's frequency.
  const median = (name: string, f: (v: number) => number = (v) => v): number | undefined => {
    const i = ds.featureNames.indexOf(name);
    if (i < 0 || !ds.nRows) return undefined;
    const v: number[] = [];
    for (let r = 0; r < ds.nRows; r++) v.push(f(ds.X[r * ds.nFeatures + i]!));
    v.sort((a, b) => a - b);
    return v[v.length >> 1];
  };
  const dev = median('freq_dev_pct', Math.abs);
  const noiseMedian = median('noise_pct');
  const thdMedian = median('thd_f_pct');
  // Read at twice its rate, 50 Hz looks like 25 Hz; at half, like 100 Hz, which the estimator can alias back
  // onto 50 Hz: then the nominal fundamental is missing and the window is all "noise" or "harmonics".
  const wrongRate = (dev !== undefined && dev > 5) || (noiseMedian !== undefined && noiseMedian > 30) || (thdMedian !== undefined && thdMedian > 50);
  if (wrongRate) outside.push(`the median window is ${dev?.toFixed(1) ?? '?'} % off the nominal mains frequency, with ${noiseMedian?.toFixed(0) ?? '?'} % noise and ${thdMedian?.toFixed(0) ?? '?'} % THD: the sampling rate or mains frequency given for the data is wrong`);
  const pu = median('rms_pu');
  if (pu !== undefined && (pu < 0.8 || pu > 1.2)) outside.push(`the median window's RMS is ${pu.toFixed(2)} pu of the nominal voltage: give the data's nominal voltage (--nominal-voltage)`);
  if (model.snrDb && !wrongRate) {
    const known = c ? Array.from(c.snrDb).filter((v) => v === v) : [];
    let s: number | undefined;
    if (known.length) s = known.sort((a, b) => a - b)[known.length >> 1];
    else {
      const noise = median('noise_pct');
      if (noise !== undefined) s = snrFromNoisePct(noise);
    }
    if (s !== undefined && s < model.snrDb[0] - SNR_MARGIN_DB) outside.push(`the data's median SNR is ${s.toFixed(1)} dB, below the model's ${model.snrDb[0]}-${model.snrDb[1]} dB`);
    else if (s !== undefined && s > model.snrDb[1] + 20) warnings.push(`the data's median SNR is ${s.toFixed(1)} dB, well above the model's ${model.snrDb[0]}-${model.snrDb[1]} dB`);
  }
  if (c && model.nominalVoltages.length) {
    const noms = [...new Set(Array.from(c.nominalV))];
    const other = noms.filter((v) => !model.nominalVoltages.includes(v));
    if (other.length) warnings.push(`nominal voltage ${other.join(', ')} V is not one the model was trained at (${model.nominalVoltages.join(', ')} V); features are per unit, so this alone is fine`);
  }
  return { outside, warnings, rowsOutside };
}

/** One line for logs and reports. */
export function describeConditions(c: ModelConditions | undefined): string {
  if (!c) return 'not recorded';
  const rates = c.samplingRates.length ? `${c.samplingRates.join(', ')} Hz sampling` : 'any sampling rate';
  const mains = c.mainsFrequencies.length ? `${c.mainsFrequencies.join(' + ')} Hz mains` : 'any mains';
  const nom = c.nominalVoltages.length ? `nominal ${c.nominalVoltages.join(' / ')} V` : '';
  const snr = c.snrDb ? `SNR ${c.snrDb[0]}-${c.snrDb[1]} dB` : 'SNR unknown';
  return [c.featureSet, rates, mains, nom, snr].filter(Boolean).join(', ');
}

/**
 * The condition text model.bin carries (ASCII, parsed by the device without RegExp):
 * "fv=waveform-2;fs=1000,2000;mains=50,60;un=230,120;snr=20,50;thr=1234;normal=0".
 */
export function encodeConditions(c: ModelConditions | undefined, minAnomalyVotes: number, normalClass: number): string {
  const parts: string[] = [];
  if (c) {
    parts.push(`fv=${c.featureSet}`);
    if (c.samplingRates.length) parts.push(`fs=${c.samplingRates.join(',')}`);
    if (c.mainsFrequencies.length) parts.push(`mains=${c.mainsFrequencies.join(',')}`);
    if (c.nominalVoltages.length) parts.push(`un=${c.nominalVoltages.join(',')}`);
    if (c.snrDb) parts.push(`snr=${c.snrDb[0]},${c.snrDb[1]}`);
  }
  parts.push(`thr=${minAnomalyVotes}`, `normal=${normalClass}`);
  return parts.join(';');
}

export function decodeConditions(text: string): { conditions?: ModelConditions; minAnomalyVotes: number; normalClass: number } {
  const kv = new Map<string, string>();
  for (const p of text.split(';')) {
    const i = p.indexOf('=');
    if (i > 0) kv.set(p.slice(0, i), p.slice(i + 1));
  }
  const nums = (k: string): number[] => (kv.get(k) ? kv.get(k)!.split(',').map(Number).filter((v) => Number.isFinite(v)) : []);
  const snr = nums('snr');
  const conditions: ModelConditions | undefined = kv.has('fv')
    ? { featureSet: kv.get('fv')!, samplingRates: nums('fs'), mainsFrequencies: nums('mains'), nominalVoltages: nums('un'), ...(snr.length === 2 ? { snrDb: [snr[0]!, snr[1]!] as [number, number] } : {}) }
    : undefined;
  return { conditions, minAnomalyVotes: Number(kv.get('thr') ?? 0) || 0, normalClass: Number(kv.get('normal') ?? 0) || 0 };
}
