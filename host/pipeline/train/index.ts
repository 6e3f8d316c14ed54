/**
 * `train` (`npm run train`): synth (or --data), process, fit, export, evaluate, reports; everything in one
 * directory. Parity between the host model and both readers of model.bin is checked on every test window.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from '../dataset.ts';
import { saveModelJson } from '../../forest/io.ts';
import { predictRows } from '../../forest/model.ts';
import { exportModel, type ExportResult } from '../../model/export.ts';
import { packModel } from '../../model/pack.ts';
import { readModelBin } from '../../model/reader.ts';
import { openModel, predict as devicePredict } from '../../../device/model/reader.ts';
import { binPredictor } from '../evaluate/predictor.ts';
import { fitDataset, type FitOptions, type FitResult } from '../fit/index.ts';
import { describeSkips, detectKind, loadCsvDataset, type LoadedData } from '../fit/data.ts';
import { loadMeterDataset } from '../meter/index.ts';
import { describeConditions } from '../../model/conditions.ts';
import type { ModelConditions } from '../../forest/model.ts';
import { METER_FEATURE_SET } from '../../../device/meter/features.ts';
import { DEFAULT_TRAIN_RATES, type MainsChoice } from '../synth/generate.ts';
import { writeReports, type ReportExport } from '../report/index.ts';
import { writeSynthCsv } from '../synth/index.ts';
import { resolveLimits, writeFeaturesCsv } from '../process/index.ts';
import { concatDatasets } from './concat.ts';
import { progressBar } from '../../progress.ts';

export interface TrainRunOptions extends FitOptions {
  outDir: string;
  data?: string[];
  windows: number;
  /** Synthetic data: the rates each window draws from (default 1000, 2000, 3200, 6400); --data: the one rate. */
  samplingRate?: number[];
  /** Synthetic data: 50, 60 or both (default both); --data: the mains frequency when the file does not say. */
  mainsHz?: MainsChoice;
  nominalV?: number;
  /** Synthetic data: SNR range in dB (default 20-50) and share of normal windows (default 0.5). */
  snrDb?: [number, number];
  normalRatio?: number;
  /** The register map for raw Modbus data (the device's meterRegs syntax). */
  registerMap?: string;
  strict?: boolean;
  quantize: 'float32' | 'int16';
  modelVersion: number;
  partitionsCsv: string;
  /** waveform (default): the host analysis model; meter: the device's meter-telemetry model. */
  features?: 'waveform' | 'meter';
  log: (line: string) => void;
}

export interface TrainRunResult {
  fit: FitResult;
  exported: ExportResult;
  quantized: ReportExport[];
  files: string[];
  seconds: number;
}


/** Host model vs the exported bytes, through the host reader and the device reader, on the given rows. */
export function checkParity(fit: FitResult, ds: Dataset, bytes: Uint8Array): { deviceReader: number; hostModel: number; accuracy: number } {
  const rows = fit.split.test;
  const F = ds.nFeatures;
  const X = new Float32Array(rows.length * F);
  rows.forEach((r, i) => X.set(ds.X.subarray(r * F, (r + 1) * F), i * F));
  const host = predictRows(fit.model, X, rows.length, F);
  const viaHostReader = binPredictor(readModelBin(bytes)).predict(X, rows.length, F);
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const dev = openModel(ab);
  let deviceReader = 0;
  let hostModel = 0;
  let right = 0;
  for (let i = 0; i < rows.length; i++) {
    const d = devicePredict(dev, X.subarray(i * F, (i + 1) * F));
    if (d !== viaHostReader.cls[i]) deviceReader++;
    if (viaHostReader.cls[i] !== host.cls[i]) hostModel++;
    if (d === fit.labels.labels[rows[i]!]) right++;
  }
  return { deviceReader, hostModel, accuracy: rows.length ? right / rows.length : 0 };
}

interface LoadedTraining {
  ds: Dataset;
  notes: string[];
  /** What the data came from, for the log and the report. */
  source: string;
  /** The conditions of data that does not carry them per row (meter telemetry). */
  conditions?: ModelConditions;
}

/** Meter telemetry features (device/meter): the model the device runs. Synthetic, or collected CSVs with --data. */
async function loadMeterData(o: TrainRunOptions): Promise<LoadedTraining> {
  const r = await loadMeterDataset({ csv: o.data?.length ? o.data : undefined, seed: o.seed, registerMap: o.registerMap, nominalV: o.nominalV, mainsHz: o.mainsHz === 60 ? 60 : 50 });
  const source = o.data?.length ? o.data.join(', ') : `synthetic meter telemetry (${r.meters.length} meters)`;
  const skip = describeSkips(source, r.skipped);
  if (skip) o.log(`process: ${skip}`);
  for (const n of r.notes) o.log(`process: ${n}`);
  o.log(`process: ${r.dataset.nRows} samples x ${r.dataset.nFeatures} meter features (${r.partial} partial samples left out)`);
  return { ds: r.dataset, notes: r.notes, source, conditions: { featureSet: METER_FEATURE_SET, samplingRates: [], mainsFrequencies: [r.mainsHz], nominalVoltages: [r.nominalV] } };
}

/** Waveform or processed CSVs (synthetic waveforms when no --data): the host's analysis model. */
async function loadWaveformData(o: TrainRunOptions, files: string[]): Promise<LoadedTraining> {
  let inputs = o.data ?? [];
  if (!inputs.length) {
    const csv = join(o.outDir, 'synth.csv');
    const bar = progressBar('synth', o.windows);
    const synth = { windows: o.windows, seed: o.seed, mainsHz: o.mainsHz ?? 'both', samplingRate: o.samplingRate ?? DEFAULT_TRAIN_RATES, snrDb: o.snrDb, normalRatio: o.normalRatio, nominalV: o.nominalV } as const;
    const r = await writeSynthCsv(csv, synth, (d) => bar.update(d)).finally(() => bar.stop());
    for (const n of r.notes) o.log(`synth: ${n}`);
    o.log(`synth: ${r.rows} windows -> ${csv}`);
    files.push(csv, r.sidecarPath);
    inputs = [csv];
  }

  const loaded: LoadedData[] = [];
  for (const path of inputs) {
    const bar = progressBar('process', o.data?.length ? 0 : o.windows, { unit: 'rows' });
    const d = await loadCsvDataset(path, { samplingRate: o.data?.length ? one(o.samplingRate) : undefined, mainsHz: o.data?.length && o.mainsHz !== 'both' ? o.mainsHz : undefined, nominalV: o.nominalV, strict: o.strict, onProgress: (n) => bar.update(n) }).finally(() => bar.stop());
    const skip = describeSkips(path, d.skipped);
    if (skip) o.log(`process: ${skip}`);
    for (const n of d.notes) o.log(`process: ${n}`);
    loaded.push(d);
  }
  if (new Set(loaded.map((d) => d.kind)).size > 1) throw new Error('--data mixes waveform and processed CSVs; give one kind');
  const ds = concatDatasets(loaded.map((d) => d.dataset));
  if (!ds.nRows) return { ds, notes: [], source: inputs.join(', ') };
  o.log(`process: ${ds.nRows} rows x ${ds.nFeatures} features (${loaded[0]!.kind})`);
  if (loaded[0]!.kind === 'waveform') {
    const path = join(o.outDir, 'processed.csv');
    await writeFeaturesCsv(path, ds, loaded.flatMap((d) => d.times), (mainsHz, nominalV) => resolveLimits({ mainsHz, nominalV }));
    files.push(path);
  }
  return { ds, notes: loaded.flatMap((d) => d.notes), source: inputs.join(', ') };
}

/** --sampling-rate for --data files: one rate (a list only describes synthetic data). */
function one(rates: number[] | undefined): number | undefined {
  if (!rates?.length) return undefined;
  if (rates.length > 1) throw new Error('--sampling-rate with --data takes one rate (the rate of the files), not a list');
  return rates[0];
}

/** Raw Modbus telemetry given to a waveform model: it is meter data, so the meter model is what it can train. */
async function pickFeatures(o: TrainRunOptions): Promise<'waveform' | 'meter'> {
  if (o.features === 'meter' || !o.data?.length) return o.features ?? 'waveform';
  const files = await Promise.all(o.data.map(async (p) => ((await stat(p).catch(() => null))?.isDirectory() ? 'modbus' : detectKind(p))));
  const raw = files.filter((k) => k === 'modbus').length;
  if (raw && raw < files.length) throw new Error('--data mixes raw Modbus telemetry with waveform or feature CSVs; train them separately');
  if (raw) {
    o.log('process: --data is raw Modbus telemetry (Start register, Raw data): training the meter model (--features meter)');
    return 'meter';
  }
  return 'waveform';
}

export async function runTrain(o: TrainRunOptions): Promise<TrainRunResult> {
  const t0 = performance.now();
  await mkdir(o.outDir, { recursive: true });
  const files: string[] = [];
  const features = await pickFeatures(o);
  const { ds, notes, source, conditions } = features === 'meter' ? await loadMeterData(o) : await loadWaveformData(o, files);
  if (!ds.nRows) throw new Error(`no usable rows in ${source}: an empty data set makes no model`);

  const bar = progressBar('fit', o.trees);
  const fit = await fitDataset(ds, { ...o, conditions, onProgress: (d) => bar.update(d) }).finally(() => bar.stop());
  o.log(`fit: ${fit.model.trees.length} trees in ${fit.trainSeconds.toFixed(2)} s on ${fit.split.train.length} rows; test ${fit.split.test.length} rows`);
  o.log(`fit: valid for ${describeConditions(fit.model.conditions)}`);
  if (fit.model.decision) o.log(`fit: decision threshold ${fit.model.decision.minAnomalyVotes} of ${fit.model.trees.length * 255} votes against normal (out-of-bag false alarms <= ${fit.model.decision.maxFalseAlarm})`);
  const modelPath = join(o.outDir, 'model.json');
  await saveModelJson(modelPath, fit.model);
  files.push(modelPath);

  const exported = await exportModel(fit.model, { outDir: o.outDir, partitionsCsv: o.partitionsCsv, quantize: o.quantize, modelVersion: o.modelVersion });
  files.push(exported.files.bin, exported.files.header, exported.files.json);
  o.log(`export: model.bin ${exported.bytes} B of ${exported.slotBytes} B (${exported.slotName}), ${exported.bytesPerNode.toFixed(2)} B/node, ${exported.quantize}`);

  // Both threshold kinds are measured, whichever one was written.
  const quantized: ReportExport[] = [];
  for (const q of ['float32', 'int16'] as const) {
    const bytes = q === o.quantize ? new Uint8Array(await readFile(exported.files.bin)) : packModel(fit.model, { quantize: q, modelVersion: o.modelVersion }).bytes;
    const p = checkParity(fit, ds, bytes);
    if (p.deviceReader) throw new Error(`parity: the device reader disagrees with the host reader on ${p.deviceReader} test windows (${q})`);
    if (q === 'float32' && p.hostModel) throw new Error(`parity: the float32 model.bin disagrees with the host model on ${p.hostModel} test windows`);
    const slot = exported.slotBytes;
    quantized.push({
      bytes: bytes.length,
      slotBytes: slot,
      slotName: exported.slotName,
      bytesPerNode: bytes.length / exported.treeNodes,
      quantize: q,
      accuracy: p.accuracy,
      accuracyChange: p.accuracy - fit.test.accuracy,
      parity: q === 'float32' ? `device = host reader = host model on ${fit.split.test.length} windows` : `device = host reader; ${p.hostModel} windows differ from the host model`,
    });
    o.log(`evaluate: ${q} model.bin ${bytes.length} B, test accuracy ${p.accuracy.toFixed(4)} (${p.accuracy - fit.test.accuracy >= 0 ? '+' : ''}${(p.accuracy - fit.test.accuracy).toFixed(4)} vs host model)`);
  }

  const rep = await writeReports(o.outDir, {
    title: 'jerrywatt power-quality model',
    data: source,
    rows: ds.nRows,
    trainRows: fit.split.train.length,
    testRows: fit.split.test.length,
    trainSeconds: fit.trainSeconds,
    model: fit.model,
    test: fit.test,
    testByCondition: fit.testByCondition,
    exported: quantized,
    notes,
  });
  files.push(rep.md, rep.html);
  return { fit, exported, quantized, files, seconds: (performance.now() - t0) / 1000 };
}
