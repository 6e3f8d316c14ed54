/**
 * Waveform CSVs (the synth format, or the prototype's): one window per row, `Voltage_L1` a JSON array.
 * Each window becomes one dataset row of WAVEFORM_FEATURES; its group is the window's index in the file.
 */
import { readFile } from 'node:fs/promises';
import type { Dataset } from '../dataset.ts';
import { classOrder } from '../synth/classes.ts';
import { WAVEFORM_FEATURES, THD_DEFINITION, thdOrders, waveformFeatures } from './features.ts';
import { GrowingF32, SkipCollector, columnIndex, openCsv, parseNumber, type SkipReport } from './rows.ts';

export interface WaveformLoadOptions {
  samplingRate?: number;
  mainsHz?: number;
  strict?: boolean;
  onProgress?: (rows: number) => void;
}

export interface WaveformInfo {
  samplingRate: number;
  mainsHz: number;
  samplesPerWindow: number;
  /** Nominal voltage from the sidecar, when there is one. */
  nominalV?: number;
  harmonicOrders: number;
  thdDefinition: string;
  notes: string[];
}

/** Reads `<csv>.json` when it is a synth sidecar; undefined otherwise. */
export async function readSidecar(csvPath: string): Promise<Record<string, unknown> | undefined> {
  try {
    const j = JSON.parse(await readFile(`${csvPath}.json`, 'utf8')) as Record<string, unknown>;
    return j && j.format === 'jerrywatt-synth' ? j : undefined;
  } catch {
    return undefined;
  }
}

const MIN_RATE = 1000;

export async function loadWaveformDataset(
  csvPath: string,
  opts: WaveformLoadOptions = {},
): Promise<{ dataset: Dataset; skipped: SkipReport; info: WaveformInfo; times: string[] }> {
  const side = await readSidecar(csvPath);
  const samplingRate = opts.samplingRate ?? (typeof side?.samplingRate === 'number' ? side.samplingRate : undefined);
  if (samplingRate === undefined) throw new Error(`${csvPath}: no sidecar (${csvPath}.json); give the sampling rate (--sampling-rate)`);
  if (!(samplingRate >= MIN_RATE)) throw new Error(`sampling rate must be at least ${MIN_RATE} Hz, not ${samplingRate}`);
  const mainsHz = opts.mainsHz ?? (side?.mainsHz === 60 ? 60 : 50);
  if (mainsHz !== 50 && mainsHz !== 60) throw new Error(`mains frequency must be 50 or 60 Hz, not ${mainsHz}`);
  let expectedLen = typeof side?.samplesPerWindow === 'number' ? side.samplesPerWindow : 0;
  const minLen = Math.ceil(samplingRate / mainsHz);

  const { header, records } = await openCsv(csvPath);
  const cV = columnIndex(header, 'Voltage_L1', 'voltage');
  if (cV < 0) throw new Error(`${csvPath}: no Voltage_L1 column (have: ${header.join(', ')})`);
  const cT = columnIndex(header, 'target');
  const cC = columnIndex(header, 'class');
  const cTime = columnIndex(header, 'Time', 'ts');
  const skips = new SkipCollector(opts.strict ?? false);
  const notes: string[] = [];

  const F = WAVEFORM_FEATURES.length;
  const X = new GrowingF32(F * 1024);
  const targets: number[] = [];
  const classNames: string[] = [];
  const groups: number[] = [];
  const times: string[] = [];
  let windowIndex = -1;
  for await (const { fields, row, error } of records) {
    windowIndex++;
    if (error) {
      skips.skip(csvPath, row, error);
      continue;
    }
    if (opts.onProgress && windowIndex % 256 === 0) opts.onProgress(windowIndex);
    const raw = fields[cV];
    if (raw === undefined || raw === '') {
      skips.skip(csvPath, row, raw === undefined ? 'missing Voltage_L1 column' : 'empty waveform');
      continue;
    }
    const samples = parseWaveform(raw);
    if (typeof samples === 'string') {
      skips.skip(csvPath, row, samples);
      continue;
    }
    if (expectedLen === 0) {
      if (samples.length < minLen) {
        skips.skip(csvPath, row, `waveform of ${samples.length} samples is shorter than one cycle (${minLen})`);
        continue;
      }
      expectedLen = samples.length;
    }
    if (samples.length !== expectedLen) {
      skips.skip(csvPath, row, `waveform has ${samples.length} samples, expected ${expectedLen}`);
      continue;
    }
    let target = 0;
    if (cT >= 0) {
      const t = parseNumber(fields[cT]);
      if (t !== 0 && t !== 1) {
        skips.skip(csvPath, row, fields[cT] === undefined ? 'missing target column' : `target "${fields[cT]}" is not 0 or 1`);
        continue;
      }
      target = t;
    }
    let cls = '';
    if (cC >= 0) {
      cls = fields[cC] ?? '';
      if (cls === '') {
        skips.skip(csvPath, row, 'missing class');
        continue;
      }
      if (cT < 0) target = cls === 'normal' ? 0 : 1;
    }
    X.reserve(F);
    waveformFeatures(samples, samplingRate, mainsHz, X.data.subarray(X.length, X.length + F));
    X.length += F;
    targets.push(target);
    classNames.push(cls);
    groups.push(windowIndex);
    times.push(cTime >= 0 ? fields[cTime] ?? '' : '');
  }
  const n = targets.length;
  if (n === 0) throw new Error(`${csvPath}: no usable windows (${skips.report.count} malformed rows skipped)`);
  if (cT < 0 && cC < 0) notes.push('no target or class column: all windows labelled normal (0)');

  const classes = cC >= 0 ? classOrder(classNames) : [];
  const classIdx = new Uint16Array(n);
  if (classes.length) {
    const map = new Map(classes.map((c, i) => [c, i]));
    for (let i = 0; i < n; i++) classIdx[i] = map.get(classNames[i]) ?? 0;
  }
  const orders = thdOrders(samplingRate, mainsHz);
  if (orders < 40) notes.push(`THD uses harmonics 2..${orders}: higher orders are at or above Nyquist at ${samplingRate} Hz`);
  const dataset: Dataset = {
    featureNames: [...WAVEFORM_FEATURES],
    X: X.trimmed(),
    nRows: n,
    nFeatures: F,
    target: Uint8Array.from(targets),
    classes,
    classIdx,
    group: Int32Array.from(groups),
  };
  const info: WaveformInfo = {
    samplingRate,
    mainsHz,
    samplesPerWindow: expectedLen,
    nominalV: typeof side?.nominalV === 'number' ? side.nominalV : undefined,
    harmonicOrders: orders,
    thdDefinition: THD_DEFINITION,
    notes,
  };
  return { dataset, skipped: skips.report, info, times };
}

/** The waveform as Float32, or the reason it is malformed. */
export function parseWaveform(text: string): Float32Array | string {
  let arr: unknown;
  try {
    arr = JSON.parse(text);
  } catch {
    return /nan/i.test(text) ? 'waveform contains NaN' : 'waveform is not a JSON array of numbers';
  }
  if (!Array.isArray(arr)) return 'waveform is not a JSON array';
  if (arr.length === 0) return 'empty waveform';
  const out = new Float32Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) return `waveform sample ${i} is not a finite number`;
    out[i] = v;
  }
  return out;
}
