/**
 * A meter model in a few seconds (synthetic telemetry of the meter-gateway flow, a small forest), and putting a
 * model.bin into a simulated board's model slot before it boots: so `jerrywatt sim --meters N` and tests start
 * with a device that detects. Real deployments get their model by OTA (`jerrywatt retrain --publish`).
 */
import { PartitionView } from '../sim/flash.ts';
import type { SimBoard } from '../sim/board.ts';
import { loadMeterDataset, type MeterDatasetOptions } from '../pipeline/meter/index.ts';
import { fitDataset, FIT_DEFAULTS, type FitResult } from '../pipeline/fit/index.ts';
import { packModel } from '../model/pack.ts';

export interface QuickModelOptions extends MeterDatasetOptions {
  trees?: number;
  maxDepth?: number;
  version?: number;
  workers?: number;
}

export async function trainMeterModel(o: QuickModelOptions = {}): Promise<{ bytes: Uint8Array; fit: FitResult }> {
  const { dataset } = await loadMeterDataset({ samples: 1500, meters: 2, ...o });
  const fit = await fitDataset(dataset, { ...FIT_DEFAULTS, target: 'class', trees: o.trees ?? 8, maxDepth: o.maxDepth ?? 8, seed: o.seed ?? 1, workers: o.workers ?? 1 });
  return { bytes: packModel(fit.model, { modelVersion: o.version ?? 1 }).bytes, fit };
}

/** Writes model.bin into `slot` of a board that is not running, and makes it the model in use. */
export function installModel(board: SimBoard, bytes: Uint8Array, slot: 'model_a' | 'model_b' = 'model_a'): void {
  const p = board.partitions.get(slot);
  if (!p) throw new Error(`no partition ${slot}`);
  if (bytes.length > p.size) throw new Error(`model of ${bytes.length} bytes does not fit ${slot} (${p.size})`);
  const view = new PartitionView(board.flash, p);
  view.erase(0, Math.ceil(bytes.length / 4096) * 4096);
  view.write(0, bytes);
  board.provision('modelSlot', slot);
}
