/**
 * `jerrywatt retrain`: train a meter model on newly collected telemetry, score it and the current model on the
 * same held-out samples (split by group, never by row), and only if the new one is better on the chosen metric,
 * export it (as the next model version) and, when asked, publish it to devices as a model OTA.
 * Every input (data, current model and its version, signing key, partitions) is checked before anything on disk
 * changes: a bad --key must not leave the model in service replaced by one that is then never published.
 */
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadMeterDataset } from '../pipeline/meter/index.ts';
import { fitDataset, FIT_DEFAULTS, type FitOptions } from '../pipeline/fit/index.ts';
import { binPredictor, loadPredictor, type Predictor } from '../pipeline/evaluate/predictor.ts';
import { packModel } from '../model/pack.ts';
import { readModelBin, isModelBin } from '../model/reader.ts';
import { exportModel, type ExportResult } from '../model/export.ts';
import { modelSlot } from '../model/slot.ts';
import type { KeyObject } from 'node:crypto';
import { scoreModel, subsetRows, type RetrainMetric, type Scored } from './evaluate.ts';
import type { PublishResult } from '../ota/publisher.ts';
import { buildManifest, loadPrivateKey, signOffer } from '../ota/offer.ts';

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
  /** PEM TLS material for the broker (host/mqtt/connect.ts); `key` above is the OTA signing key. */
  tls?: { ca?: string; cert?: string; key?: string };
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
  /**
   * Version of the new model (default: current + 1). Required when the current model is a model.json that does
   * not carry its version (`modelVersion`): devices refuse a model version not above the one they run.
   */
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

/** The model in service and its version; a missing file means none yet (version 0). */
async function currentModel(path: string): Promise<{ predictor: Predictor | null; version: number | null }> {
  const s = await stat(path).catch(() => null);
  if (!s) return { predictor: null, version: 0 };
  const bytes = new Uint8Array(await readFile(path));
  const predictor = await loadPredictor(path); // throws a clear error for a corrupt file
  if (isModelBin(bytes)) return { predictor, version: readModelBin(bytes).header.modelVersion };
  // model.json: retrain writes the version it exported beside the trees (`modelVersion`); others have none.
  const v = (JSON.parse(new TextDecoder().decode(bytes)) as { modelVersion?: unknown }).modelVersion;
  return { predictor, version: typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : null };
}

export async function runRetrain(o: RetrainOptions): Promise<RetrainResult> {
  const log = o.log ?? (() => {});
  const metric = o.metric ?? 'f1';
  // 1. Check every input before anything changes.
  if (o.version !== undefined && !(Number.isInteger(o.version) && o.version >= 1 && o.version <= 0x7fffffff)) throw new Error(`model version must be an integer from 1, got ${o.version}`);
  const key = o.publish ? checkPublish(o.publish) : null;
  const slot = modelSlot(o.partitionsCsv);
  const cur = await currentModel(o.current);
  if (cur.version === null && o.version === undefined) {
    throw new Error(`${o.current} does not say which model version it is (only model.bin, or a model.json written by retrain, does): give --model-version N, above the version the devices run (they refuse a version not above it)`);
  }
  const version = o.version ?? cur.version! + 1;
  if (cur.version !== null && version <= cur.version) throw new Error(`model version ${version} is not above the current model's ${cur.version}: devices would refuse it as a replay`);
  const loaded = await loadMeterDataset({ csv: o.data, registerMap: o.registerMap });
  const ds = loaded.dataset;
  for (const n of loaded.notes) log(`data: ${n}`);
  if (loaded.skipped.count) log(`data: skipped ${loaded.skipped.count} reading(s): ${Object.entries(loaded.skipped.byReason).map(([k, v]) => `${k} x${v}`).join(', ')}`);
  log(`data: ${ds.nRows} samples x ${ds.nFeatures} features from meters ${loaded.meters.join(', ')} (${loaded.partial} partial samples left out)`);
  // 2. Train and score both models on the same held-out samples.
  const fitOpts: FitOptions = { ...FIT_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k in FIT_DEFAULTS)), target: 'class' };
  const fit = await fitDataset(ds, fitOpts);
  const heldOut = subsetRows(ds, fit.split.test);
  const packed = packModel(fit.model, { quantize: o.quantize ?? 'float32', modelVersion: version });
  // The candidate is scored as the device will run it: through its model.bin.
  const candidate = { ...scoreModel(binPredictor(readModelBin(packed.bytes)), heldOut, metric), version };
  const curVersion = cur.version ?? 0;
  const current = { ...scoreModel(cur.predictor, heldOut, metric), version: curVersion, path: o.current };
  const fmt = (s: Scored): string => (s.evaluation ? s.score.toFixed(4) : `n/a (${s.unscored})`);
  log(`evaluate on ${heldOut.nRows} held-out samples, ${metric}: current v${curVersion} ${fmt(current)}, new v${version} ${fmt(candidate)}`);
  const better = candidate.score > current.score + (o.minGain ?? 0);
  const result: RetrainResult = { better, metric, heldOutRows: heldOut.nRows, trainRows: fit.split.train.length, current, candidate };
  if (!better) {
    log(`keep: the new model is not better than v${curVersion} on ${metric}; nothing exported or published`);
    return result;
  }
  if (packed.bytes.length > slot.size) throw new Error(`the new model.bin is ${packed.bytes.length} bytes, more than the ${slot.size}-byte ${slot.name} slot: fewer --trees or a smaller --max-depth`);
  // 3. Only now change files: back up the model in service first, and stop if that fails.
  const outDir = resolve(o.outDir ?? dirname(o.current));
  await mkdir(outDir, { recursive: true });
  if (cur.predictor && resolve(dirname(o.current)) === outDir) {
    const ext = o.current.endsWith('.bin') ? 'bin' : 'json';
    const backup = join(outDir, `model.v${curVersion}.${ext}`);
    try {
      await copyFile(o.current, backup);
    } catch (err) {
      throw new Error(`cannot back up ${o.current} to ${backup} (nothing was changed): ${(err as Error).message}`);
    }
    log(`backup: ${backup}`);
  }
  result.exported = await exportModel(fit.model, { outDir, partitionsCsv: o.partitionsCsv, quantize: o.quantize ?? 'float32', modelVersion: version });
  // model.json carries the model version, so a later run on it knows what comes next.
  await writeFile(join(outDir, 'model.json'), JSON.stringify({ ...fit.model, modelVersion: version }) + '\n');
  log(`export: v${version} model.bin ${result.exported.bytes} B (${result.exported.bytesPerNode.toFixed(2)} B/node) in ${outDir}`);
  if (o.current.endsWith('.bin') && resolve(o.current) !== resolve(result.exported.files.bin)) await copyFile(result.exported.files.bin, o.current);
  if (o.publish) result.published = await publishModel(o.publish, key!, new Uint8Array(await readFile(result.exported.files.bin)), version, log);
  return result;
}

/** The publish options, and the signing key loaded (so a bad key fails before anything changes). */
function checkPublish(p: RetrainPublish): KeyObject {
  if (!!p.device === !!p.group) throw new Error('publish: give exactly one of device, group');
  try {
    return loadPrivateKey(p.key);
  } catch (err) {
    throw new Error(`--key ${p.key}: ${(err as Error).message}`);
  }
}

async function publishModel(p: RetrainPublish, key: KeyObject, image: Uint8Array, version: number, log: (l: string) => void): Promise<PublishResult> {
  const { publishUpdate } = await import('../ota/publisher.ts');
  const manifest = buildManifest({ kind: 'model', version, image, target: p.device ? { device: p.device } : { group: p.group! }, ttlMs: 3600_000 });
  const offer = signOffer(manifest, key);
  log(`publish: model v${version} (${image.length} B) to ${p.device ?? `group ${p.group}`} via ${p.broker}`);
  const r = await publishUpdate({ url: p.broker, prefix: p.prefix, offer, manifest, image, expect: p.device ? [p.device] : undefined, timeoutMs: p.timeoutMs ?? 600_000, username: p.username, password: p.password, ...p.tls });
  for (const d of r.devices.values()) log(`publish: ${d.id} ${d.state}${d.reason ? ` (${d.reason})` : ''}`);
  return r;
}
