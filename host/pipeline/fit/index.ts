/** `fit`: label, split by window, train, score on the held-out windows. */
import type { Dataset } from '../dataset.ts';
import type { ForestModel, TargetKind } from '../../forest/model.ts';
import { predictRows } from '../../forest/model.ts';
import { trainForest, type TrainInput, type TrainOptions } from '../../forest/train.ts';
import { scoreClassifier, type Metrics } from '../evaluate/metrics.ts';
import { defaultTarget, labelsFor, splitByGroup, type Labels, type Split } from './split.ts';

import { DEVICE_DEFAULTS } from './defaults.ts';

export { DEVICE_DEFAULTS };

/** The forest's own options, plus what fitting a data set adds: the target, the trainer and the test split. */
export interface FitOptions extends TrainOptions {
  target?: TargetKind;
  trainer: 'jerrywatt' | 'ml-random-forest';
  testFraction: number;
}

export const FIT_DEFAULTS: FitOptions = {
  trainer: 'jerrywatt',
  ...DEVICE_DEFAULTS,
  maxBins: 256,
  classWeight: 'balanced',
  seed: 1,
  testFraction: 0.2,
};

export interface FitResult {
  model: ForestModel;
  labels: Labels;
  split: Split;
  test: Metrics;
  trainSeconds: number;
}

export function checkDataset(ds: Dataset, what = 'data'): void {
  if (!ds.nRows) throw new Error(`${what}: no usable rows (an empty data set makes no model)`);
  if (!ds.nFeatures) throw new Error(`${what}: no features`);
}

export async function fitDataset(ds: Dataset, opts: FitOptions): Promise<FitResult> {
  checkDataset(ds);
  const labels = labelsFor(ds, opts.target ?? defaultTarget(ds));
  const present = new Set(labels.labels);
  if (present.size < 2) throw new Error(`only one ${labels.target === 'binary' ? 'target value' : 'class'} in the data: nothing to learn`);
  const split = splitByGroup(ds.group, labels.labels, opts.testFraction, opts.seed);
  if (!split.train.length) throw new Error('no training windows after the split');
  const input: TrainInput = {
    X: ds.X,
    nFeatures: ds.nFeatures,
    featureNames: ds.featureNames,
    labels: labels.labels,
    classes: labels.classes,
    target: labels.target,
    rows: split.train,
  };
  const t0 = performance.now();
  let model: ForestModel;
  if (opts.trainer === 'ml-random-forest') {
    const { trainMlRandomForest } = await import('../../forest/mlrf.ts');
    model = await trainMlRandomForest(input, opts);
  } else model = await trainForest(input, opts);
  const trainSeconds = (performance.now() - t0) / 1000;
  const test = scoreRows(model, ds, labels, split.test);
  return { model, labels, split, test, trainSeconds };
}

/** Scores a model on some rows of a data set labelled the same way. */
export function scoreRows(model: ForestModel, ds: Dataset, labels: Labels, rows: Int32Array): Metrics {
  const F = ds.nFeatures;
  const X = new Float32Array(rows.length * F);
  rows.forEach((r, i) => X.set(ds.X.subarray(r * F, (r + 1) * F), i * F));
  const p = predictRows(model, X, rows.length, F);
  const truth = Uint16Array.from(rows, (r) => labels.labels[r]!);
  const binaryTruth = Uint8Array.from(rows, (r) => ds.target[r]!);
  return scoreClassifier({ classes: labels.classes, truth, pred: p.cls, proba: p.proba, normalClass: labels.normalClass, binaryTruth });
}
