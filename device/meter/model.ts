/**
 * The meter model: a model.bin run in place from its flash slot (native.partMap is memory-mapped on the board,
 * so the trees never enter the JS heap), bound to the meter features by name. A model that wants a feature
 * this device cannot compute is refused with the reason.
 */
import { openModel, predict, type DeviceModel } from '../model/reader.ts';
import { METER_FEATURES, METER_FEATURE_SET, missingFeatures } from './features.ts';

export interface MeterModel {
  model: DeviceModel;
  slot: string;
  version: number;
  /** Model feature i is METER_FEATURES[cols[i]]. */
  cols: Uint8Array;
  /** The model's input row, float32 like the training data, so host and device compare the same numbers. */
  x: Float32Array;
  normal: number;
  /** votes -> probability. */
  den: number;
}

/**
 * Binds an opened model to the meter features; a string is why it cannot run here: features it wants that
 * this device cannot compute, features of another definition version, or a mains frequency other than the
 * meters' (setting meterMainsHz). A model that records no conditions is taken as it is.
 */
export function bindModel(model: DeviceModel, slot: string, quantityMask: number, mainsHz = 50): MeterModel | string {
  const missing = missingFeatures(model.featureNames, quantityMask);
  if (missing.length) return 'model needs features this device cannot compute: ' + missing.join(', ');
  if (model.featureSet && model.featureSet !== METER_FEATURE_SET) return 'model features are ' + model.featureSet + ', this device computes ' + METER_FEATURE_SET;
  const mains = model.mainsFrequencies;
  if (mains.length && mains.indexOf(mainsHz) < 0) return 'model was trained for ' + mains.join('/') + ' Hz mains, the meters are set to ' + mainsHz + ' Hz (meterMainsHz)';
  const normal = model.classes.indexOf('normal');
  if (normal < 0) return 'model has no "normal" class (classes: ' + model.classes.join(', ') + ')';
  const cols = new Uint8Array(model.nFeatures);
  for (let i = 0; i < cols.length; i++) cols[i] = METER_FEATURES.indexOf(model.featureNames[i]!);
  return { model, slot, version: model.modelVersion, cols, x: new Float32Array(model.nFeatures), normal, den: model.nTrees * model.leafScale };
}

/** Class of one feature vector (METER_FEATURES order). Allocation-free. */
export function scoreFeatures(mm: MeterModel, features: Float64Array): number {
  const x = mm.x;
  const cols = mm.cols;
  for (let i = 0; i < x.length; i++) x[i] = features[cols[i]!]!;
  return predict(mm.model, x);
}

/** Anomaly score of the last scoreFeatures(): 1 - P(normal). */
export function anomalyScore(mm: MeterModel): number {
  return 1 - mm.model.votes[mm.normal]! / mm.den;
}

/**
 * Opens the model.bin in a flash slot, in place. Its SHA-256 is checked with the native hash (the C one: a
 * JS hash of 60 KB would take seconds on the board). A string is why it was refused.
 */
export function loadModelFromSlot(slot: string, quantityMask: number, mainsHz = 50): MeterModel | string {
  const info = native.partInfo(slot);
  if (!info) return 'no partition ' + slot;
  const head = new DataView(native.partMap(slot, 0, 64));
  if (head.getUint32(0, false) !== 0x4a575246) return slot + ' holds no model.bin'; // "JWRF"
  const total = head.getUint32(12, true);
  if (total < 64 || total > info.size) return slot + ': model size ' + total + ' does not fit the slot';
  const ctx = native.sha256Begin();
  native.sha256Update(ctx, native.partMap(slot, 0, 32));
  native.sha256Update(ctx, new ArrayBuffer(32));
  native.sha256Update(ctx, native.partMap(slot, 64, total - 64));
  const got = new Uint8Array(native.sha256Finish(ctx));
  const want = new Uint8Array(native.partMap(slot, 32, 32));
  for (let i = 0; i < 32; i++) if (got[i] !== want[i]) return slot + ': model SHA-256 mismatch';
  let model: DeviceModel;
  try {
    model = openModel(native.partMap(slot, 0, total), 0, total, false);
  } catch (e) {
    return slot + ': ' + (e as Error).message;
  }
  return bindModel(model, slot, quantityMask, mainsHz);
}
