/** Both models on the same held-out rows, scored on one metric. */
import type { Dataset } from '../pipeline/dataset.ts';
import { evaluateDataset, type Evaluation } from '../pipeline/evaluate/index.ts';
import type { Predictor } from '../pipeline/evaluate/predictor.ts';

export type RetrainMetric = 'f1' | 'macroF1' | 'accuracy';
export const RETRAIN_METRICS: RetrainMetric[] = ['f1', 'macroF1', 'accuracy'];

export function subsetRows(ds: Dataset, rows: Int32Array): Dataset {
  const F = ds.nFeatures;
  const X = new Float32Array(rows.length * F);
  rows.forEach((r, i) => X.set(ds.X.subarray(r * F, (r + 1) * F), i * F));
  return {
    featureNames: ds.featureNames,
    X,
    nRows: rows.length,
    nFeatures: F,
    target: Uint8Array.from(rows, (r) => ds.target[r]!),
    classes: ds.classes,
    classIdx: Uint16Array.from(rows, (r) => ds.classIdx[r]!),
    group: Int32Array.from(rows, (r) => ds.group[r]!),
  };
}

export interface Scored {
  score: number;
  evaluation: Evaluation | null;
  /** Why the model could not be scored (it then counts as the worst score). */
  unscored?: string;
}

/** NaN figures (a class absent from the held-out rows) count as 0 so the comparison stays total. */
export function scoreModel(p: Predictor | null, heldOut: Dataset, metric: RetrainMetric): Scored {
  if (!p) return { score: -Infinity, evaluation: null, unscored: 'no current model' };
  try {
    const e = evaluateDataset(p, heldOut);
    const v = e[metric];
    return { score: Number.isNaN(v) ? 0 : v, evaluation: e };
  } catch (err) {
    return { score: -Infinity, evaluation: null, unscored: (err as Error).message };
  }
}
