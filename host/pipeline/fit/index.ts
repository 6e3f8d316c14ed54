/** `fit`: label, split by window, train, score on the held-out windows. */
import type { Dataset } from '../dataset.ts';
import type { ForestModel, ModelConditions, TargetKind } from '../../forest/model.ts';
import { predictRows } from '../../forest/model.ts';
import { trainForest, type TrainInput, type TrainOptions } from '../../forest/train.ts';
import { scoreClassifier, type Metrics } from '../evaluate/metrics.ts';
import { defaultTarget, labelsFor, splitByGroup, type Labels, type Split } from './split.ts';

import { DEVICE_DEFAULTS } from './defaults.ts';
import { chooseThreshold } from './threshold.ts';
import { subsetConditions } from '../dataset.ts';
import { conditionsOf } from '../../model/conditions.ts';
import { figuresByCondition, type ConditionFigures } from '../evaluate/by-condition.ts';
import { WAVEFORM_FEATURES, WAVEFORM_FEATURE_SET } from '../process/features.ts';
import { METER_FEATURES, METER_FEATURE_SET } from '../../../device/meter/features.ts';

export { DEVICE_DEFAULTS };

/** The forest's own options, plus what fitting a data set adds: the target, the trainer and the test split. */
export interface FitOptions extends TrainOptions {
  target?: TargetKind;
  trainer: 'jerrywatt' | 'ml-random-forest';
  testFraction: number;
  /** Choose the decision threshold so that at most this share of normal windows alarms (out-of-bag). */
  maxFalseAlarm?: number;
  /** Feature set the data's columns come from (default: told by the feature names). */
  featureSet?: string;
  /** Conditions of data that does not carry them per row (meter telemetry). */
  conditions?: ModelConditions;
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
  /** Held-out figures per sampling condition, when the data knows its conditions. */
  testByCondition?: ConditionFigures[];
  trainSeconds: number;
}

/** The feature set the names come from: the waveform or meter features of this version, else custom. */
export function featureSetOf(names: readonly string[]): string {
  if (names.every((n) => WAVEFORM_FEATURES.includes(n))) return WAVEFORM_FEATURE_SET;
  if (names.every((n) => METER_FEATURES.includes(n))) return METER_FEATURE_SET;
  return 'custom';
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
  let oob: Float64Array | undefined;
  if (opts.trainer === 'ml-random-forest') {
    if (opts.maxFalseAlarm !== undefined) throw new Error('--max-false-alarm needs the jerrywatt trainer (it uses out-of-bag votes)');
    const { trainMlRandomForest } = await import('../../forest/mlrf.ts');
    model = await trainMlRandomForest(input, opts);
  } else model = await trainForest(input, { ...opts, onOobVotes: (v) => (oob = v) });
  const trainSeconds = (performance.now() - t0) / 1000;
  if (opts.maxFalseAlarm !== undefined && oob) {
    const normal = Array.from(split.train, (r) => ds.target[r] === 0);
    model.decision = chooseThreshold({ oobVotes: oob, nClasses: labels.classes.length, normal, normalClass: labels.normalClass, trees: model.trees.length, maxFalseAlarm: opts.maxFalseAlarm });
  }
  model.conditions = opts.conditions ?? conditionsOf(ds, opts.featureSet ?? featureSetOf(ds.featureNames));
  const test = scoreRows(model, ds, labels, split.test);
  const testByCondition = byCondition(model, ds, labels, split.test);
  return { model, labels, split, test, testByCondition, trainSeconds };
}

/** Figures per condition on some rows, when the data set knows its conditions. */
export function byCondition(model: ForestModel, ds: Dataset, labels: Labels, rows: Int32Array): ConditionFigures[] | undefined {
  const c = subsetConditions(ds.conditions, rows);
  if (!c) return undefined;
  const F = ds.nFeatures;
  const X = new Float32Array(rows.length * F);
  rows.forEach((r, i) => X.set(ds.X.subarray(r * F, (r + 1) * F), i * F));
  const p = predictRows(model, X, rows.length, F);
  const normal = labels.normalClass;
  return figuresByCondition({
    conditions: c,
    truth: Array.from(rows, (r) => ds.target[r]!),
    pred: Array.from(p.cls, (k) => (k === normal ? 0 : 1)),
    truthClass: Array.from(rows, (r) => labels.labels[r]!),
    predClass: p.cls,
    classes: labels.classes,
    snrRange: model.conditions?.snrDb,
  });
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
