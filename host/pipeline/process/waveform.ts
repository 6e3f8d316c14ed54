/**
 * Waveform CSVs (the synth format, or the prototype's): one window per row, `Voltage_L1` a JSON array.
 * Each window becomes one dataset row of WAVEFORM_FEATURES; its group is the window's index in the file.
 */
import { readFile } from 'node:fs/promises';
import type { Dataset } from '../dataset.ts';
import { classOrder } from '../synth/classes.ts';
import { WAVEFORM_FEATURES, THD_DEFINITION, defaultNominalVoltage, thdOrders, waveformFeatures } from './features.ts';
import { GrowingF32, SkipCollector, columnIndex, openCsv, parseNumber, type SkipReport } from './rows.ts';

export interface WaveformLoadOptions {
  samplingRate?: number;
  mainsHz?: number;
  nominalV?: number;
  strict?: boolean;
  onProgress?: (rows: number) => void;
}

export interface WaveformInfo {
  /** The rates, mains frequencies and nominal voltages of the rows (one each for a single-condition file). */
  samplingRates: number[];
  mainsFrequencies: number[];
  nominalVoltages: number[];
  /** Window length of the first row. */
  samplesPerWindow: number;
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
  const sideRate = opts.samplingRate ?? (typeof side?.samplingRate === 'number' ? side.samplingRate : undefined);
  if (sideRate !== undefined && !(sideRate >= MIN_RATE)) throw new Error(`sampling rate must be at least ${MIN_RATE} Hz, not ${sideRate}`);
  const sideMains = opts.mainsHz ?? (side?.mainsHz === 60 ? 60 : side?.mainsHz === 50 ? 50 : undefined);
  if (sideMains !== undefined && sideMains !== 50 && sideMains !== 60) throw new Error(`mains frequency must be 50 or 60 Hz, not ${sideMains}`);
  const sideNominal = opts.nominalV ?? (typeof side?.nominalV === 'number' ? side.nominalV : undefined);
  if (sideNominal !== undefined && !(sideNominal > 0)) throw new Error(`nominal voltage must be positive, not ${sideNominal}`);
  let expectedLen = typeof side?.samplesPerWindow === 'number' && opts.samplingRate === undefined ? side.samplesPerWindow : 0;

  const { header, records } = await openCsv(csvPath);
  const cV = columnIndex(header, 'Voltage_L1', 'voltage');
  if (cV < 0) throw new Error(`${csvPath}: no Voltage_L1 column (have: ${header.join(', ')})`);
  const cT = columnIndex(header, 'target');
  const cC = columnIndex(header, 'class');
  const cTime = columnIndex(header, 'Time', 'ts');
  const cRate = columnIndex(header, 'Sampling_Rate');
  const cMains = columnIndex(header, 'Mains_Frequency');
  const cNom = columnIndex(header, 'Nominal_Voltage');
  const cSnr = columnIndex(header, 'SNR_dB');
  if (cRate < 0 && sideRate === undefined) throw new Error(`${csvPath}: no Sampling_Rate column and no sidecar (${csvPath}.json); give the sampling rate (--sampling-rate)`);
  const rates: number[] = [];
  const mainsList: number[] = [];
  const nominals: number[] = [];
  const snrs: number[] = [];
  let guessedNominal = false;
  let firstLen = 0;
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
    // The row's own conditions win over the sidecar's; a flag that contradicts them is an error, not a guess.
    const rowRate = cRate >= 0 ? parseNumber(fields[cRate]) : NaN;
    const samplingRate = rowRate === rowRate ? rowRate : sideRate;
    if (samplingRate === undefined || !(samplingRate >= MIN_RATE)) {
      skips.skip(csvPath, row, `sampling rate "${fields[cRate] ?? ''}" is not a number of at least ${MIN_RATE} Hz`);
      continue;
    }
    if (opts.samplingRate !== undefined && rowRate === rowRate && rowRate !== opts.samplingRate) {
      throw new Error(`${csvPath} row ${row}: the file says ${rowRate} Hz, --sampling-rate says ${opts.samplingRate}: drop the flag, or fix the file`);
    }
    const rowMains = cMains >= 0 ? parseNumber(fields[cMains]) : NaN;
    const mainsHz = rowMains === rowMains ? rowMains : sideMains ?? 50;
    if (mainsHz !== 50 && mainsHz !== 60) {
      skips.skip(csvPath, row, `mains frequency "${fields[cMains] ?? ''}" is not 50 or 60`);
      continue;
    }
    if (opts.mainsHz !== undefined && rowMains === rowMains && rowMains !== opts.mainsHz) {
      throw new Error(`${csvPath} row ${row}: the file says ${rowMains} Hz mains, --mains-frequency says ${opts.mainsHz}`);
    }
    const rowNom = cNom >= 0 ? parseNumber(fields[cNom]) : NaN;
    let nominalV = rowNom > 0 ? rowNom : sideNominal;
    if (nominalV === undefined) {
      nominalV = defaultNominalVoltage(mainsHz);
      guessedNominal = true;
    }
    const minLen = Math.ceil(samplingRate / mainsHz);
    // One condition for the whole file: every window has the length of the first.
    if (cRate < 0 && expectedLen !== 0 && samples.length !== expectedLen) {
      skips.skip(csvPath, row, `waveform has ${samples.length} samples, expected ${expectedLen}`);
      continue;
    }
    if (samples.length < minLen) {
      skips.skip(csvPath, row, `waveform of ${samples.length} samples is shorter than one cycle (${minLen})`);
      continue;
    }
    if (cRate < 0 && expectedLen === 0) expectedLen = samples.length;
    if (!firstLen) firstLen = samples.length;
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
    waveformFeatures(samples, samplingRate, mainsHz, nominalV, X.data.subarray(X.length, X.length + F));
    rates.push(samplingRate);
    mainsList.push(mainsHz);
    nominals.push(nominalV);
    snrs.push(cSnr >= 0 ? parseNumber(fields[cSnr]) : NaN);
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
  const uniq = (a: number[]): number[] => [...new Set(a)].sort((x, y) => x - y);
  for (const fs of uniq(rates)) {
    for (const m of uniq(mainsList)) {
      const orders = thdOrders(fs, m);
      if (orders < 40) notes.push(`THD uses harmonics 2..${orders} at ${fs} Hz / ${m} Hz: higher orders are at or above Nyquist`);
    }
  }
  if (guessedNominal) notes.push(`no nominal voltage given (--nominal-voltage): assumed ${uniq(nominals).join(' / ')} V`);
  const dataset: Dataset = {
    featureNames: [...WAVEFORM_FEATURES],
    X: X.trimmed(),
    nRows: n,
    nFeatures: F,
    target: Uint8Array.from(targets),
    classes,
    classIdx,
    group: Int32Array.from(groups),
    conditions: { samplingRate: Float32Array.from(rates), mainsHz: Uint8Array.from(mainsList), nominalV: Float32Array.from(nominals), snrDb: Float32Array.from(snrs) },
  };
  const info: WaveformInfo = {
    samplingRates: uniq(rates),
    mainsFrequencies: uniq(mainsList),
    nominalVoltages: uniq(nominals),
    samplesPerWindow: firstLen,
    harmonicOrders: Math.min(...uniq(rates).flatMap((fs) => uniq(mainsList).map((m) => thdOrders(fs, m)))),
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
