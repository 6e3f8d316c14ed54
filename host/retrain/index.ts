/**
 * `jerrywatt retrain`: train a meter model on newly collected telemetry, score it and the current model on the
 * same held-out samples (split by group, never by row), and only if the new one is better on the chosen metric,
 * export it (as the next model version) and, when asked, publish it to devices as a model OTA.
 */
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadMeterDataset } from '../pipeline/meter/index.ts';
import { fitDataset, FIT_DEFAULTS, type FitOptions } from '../pipeline/fit/index.ts';
import { binPredictor, loadPredictor, type Predictor } from '../pipeline/evaluate/predictor.ts';
import { packModel } from '../model/pack.ts';
import { readModelBin, isModelBin } from '../model/reader.ts';
import { exportModel, type ExportResult } from '../model/export.ts';
import { saveModelJson } from '../forest/io.ts';
import { scoreModel, subsetRows, type RetrainMetric, type Scored } from './evaluate.ts';
import type { PublishResult } from '../ota/publisher.ts';

export interface RetrainPublish {
  broker: string;
  /** PEM private key of the OTA signing pair. */
  key: string;
  device?: string;
  group?: string;
  prefix?: string;
  timeoutMs?: number;
  username?: string;
  password?: string;
}

export interface RetrainOptions extends Partial<Omit<FitOptions, 'target'>> {
  data: string[];
  /** The model in service (model.bin or model.json); a missing file means none yet. */
  current: string;
  /** Where the new model goes (default: next to --current, which it then replaces). */
  outDir?: string;
  metric?: RetrainMetric;
  /** The new model must beat the current by more than this. */
  minGain?: number;
  registerMap?: string;
  quantize?: 'float32' | 'int16';
  /** Version of the new model (default: current + 1). */
  version?: number;
  partitionsCsv: string;
  publish?: RetrainPublish;
  log?: (line: string) => void;
}

export interface RetrainResult {
  better: boolean;
  metric: RetrainMetric;
  heldOutRows: number;
  trainRows: number;
  current: Scored & { version: number; path: string };
  candidate: Scored & { version: number };
  exported?: ExportResult;
  published?: PublishResult;
}

async function currentModel(path: string): Promise<{ predictor: Predictor | null; version: number }> {
  const s = await stat(path).catch(() => null);
  if (!s) return { predictor: null, version: 0 };
  const bytes = new Uint8Array(await readFile(path));
  const version = isModelBin(bytes) ? readModelBin(bytes).header.modelVersion : 0;
  return { predictor: await loadPredictor(path), version };
}

export async function runRetrain(o: RetrainOptions): Promise<RetrainResult> {
  const log = o.log ?? (() => {});
  const metric = o.metric ?? 'f1';
  const loaded = await loadMeterDataset({ csv: o.data, registerMap: o.registerMap });
  const ds = loaded.dataset;
  for (const n of loaded.notes) log(`data: ${n}`);
  if (loaded.skipped.count) log(`data: skipped ${loaded.skipped.count} reading(s): ${Object.entries(loaded.skipped.byReason).map(([k, v]) => `${k} x${v}`).join(', ')}`);
  log(`data: ${ds.nRows} samples x ${ds.nFeatures} features from meters ${loaded.meters.join(', ')} (${loaded.partial} partial samples left out)`);
  const cur = await currentModel(o.current);
  const fitOpts: FitOptions = { ...FIT_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k in FIT_DEFAULTS)), target: 'class' };
  const fit = await fitDataset(ds, fitOpts);
  const heldOut = subsetRows(ds, fit.split.test);
  const version = o.version ?? cur.version + 1;
  const packed = packModel(fit.model, { quantize: o.quantize ?? 'float32', modelVersion: version });
  // The candidate is scored as the device will run it: through its model.bin.
  const candidate = { ...scoreModel(binPredictor(readModelBin(packed.bytes)), heldOut, metric), version };
  const current = { ...scoreModel(cur.predictor, heldOut, metric), version: cur.version, path: o.current };
  const fmt = (s: Scored): string => (s.evaluation ? s.score.toFixed(4) : `n/a (${s.unscored})`);
  log(`evaluate on ${heldOut.nRows} held-out samples, ${metric}: current v${cur.version} ${fmt(current)}, new v${version} ${fmt(candidate)}`);
  const better = candidate.score > current.score + (o.minGain ?? 0);
  const result: RetrainResult = { better, metric, heldOutRows: heldOut.nRows, trainRows: fit.split.train.length, current, candidate };
  if (!better) {
    log(`keep: the new model is not better than v${cur.version} on ${metric}; nothing exported or published`);
    return result;
  }
  const outDir = resolve(o.outDir ?? dirname(o.current));
  await mkdir(outDir, { recursive: true });
  if (cur.predictor && resolve(dirname(o.current)) === outDir) await copyFile(o.current, join(outDir, `model.v${cur.version}.bin`)).catch(() => {});
  result.exported = await exportModel(fit.model, { outDir, partitionsCsv: o.partitionsCsv, quantize: o.quantize ?? 'float32', modelVersion: version });
  await saveModelJson(join(outDir, 'model.json'), fit.model);
  log(`export: v${version} model.bin ${result.exported.bytes} B (${result.exported.bytesPerNode.toFixed(2)} B/node) in ${outDir}`);
  if (o.current.endsWith('.bin') && resolve(o.current) !== resolve(result.exported.files.bin)) await copyFile(result.exported.files.bin, o.current);
  if (o.publish) result.published = await publishModel(o.publish, new Uint8Array(await readFile(result.exported.files.bin)), version, log);
  return result;
}

async function publishModel(p: RetrainPublish, image: Uint8Array, version: number, log: (l: string) => void): Promise<PublishResult> {
  const { buildManifest, loadPrivateKey, signOffer } = await import('../ota/offer.ts');
  const { publishUpdate } = await import('../ota/publisher.ts');
  if (!!p.device === !!p.group) throw new Error('publish: give exactly one of device, group');
  const manifest = buildManifest({ kind: 'model', version, image, target: p.device ? { device: p.device } : { group: p.group! }, ttlMs: 3600_000 });
  const offer = signOffer(manifest, loadPrivateKey(p.key));
  log(`publish: model v${version} (${image.length} B) to ${p.device ?? `group ${p.group}`} via ${p.broker}`);
  const r = await publishUpdate({ url: p.broker, prefix: p.prefix, offer, manifest, image, expect: p.device ? [p.device] : undefined, timeoutMs: p.timeoutMs ?? 600_000, username: p.username, password: p.password });
  for (const d of r.devices.values()) log(`publish: ${d.id} ${d.state}${d.reason ? ` (${d.reason})` : ''}`);
  return r;
}
