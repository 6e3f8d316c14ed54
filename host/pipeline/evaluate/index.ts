/**
 * `evaluate`: a saved model on a data set. Binary figures score the data's `target` column (anomaly = not the
 * model's "normal" class); multiclass figures score `class` when the data has it and the model predicts classes.
 */
import { subsetConditions, type Dataset } from '../dataset.ts';
import { scoreClassifier, type Metrics } from './metrics.ts';
import type { Predictor } from './predictor.ts';
import { figuresByCondition, type ConditionFigures } from './by-condition.ts';

export interface Evaluation extends Metrics {
  model: { kind: string; classes: string[] };
  /** Rows left out of the scores, with why (a class the model never learned): never dropped silently. */
  dropped: { count: number; byReason: Record<string, number> };
  /** Figures per condition, when the data knows its conditions. */
  byCondition?: ConditionFigures[];
}

export function evaluateDataset(p: Predictor, ds: Dataset): Evaluation {
  if (!ds.nRows) throw new Error('no usable rows to evaluate on');
  // Columns by name: the data may order (or add) features differently from the model.
  const cols = p.featureNames.map((name) => {
    const i = ds.featureNames.indexOf(name);
    if (i < 0) throw new Error(`the data lacks feature "${name}" the model needs (data has: ${ds.featureNames.join(', ')})`);
    return i;
  });
  const binaryModel = p.classes.length === 2 && p.classes[0] === 'normal' && p.classes[1] === 'anomaly';
  const normalClass = Math.max(0, p.classes.indexOf('normal'));
  const byClass = !binaryModel && ds.classes.length > 0;
  const keep: number[] = [];
  const truth: number[] = [];
  const byReason: Record<string, number> = {};
  for (let r = 0; r < ds.nRows; r++) {
    // A class model on data without a class column is scored as normal/anomaly only.
    const t = byClass ? p.classes.indexOf(ds.classes[ds.classIdx[r]!]!) : ds.target[r]!;
    if (t < 0) {
      const why = `class "${ds.classes[ds.classIdx[r]!]}" unknown to the model`;
      byReason[why] = (byReason[why] ?? 0) + 1;
      continue;
    }
    keep.push(r);
    truth.push(t);
  }
  if (!keep.length) throw new Error(`none of the data's classes is known to the model (${Object.entries(byReason).map(([k, n]) => `${n} x ${k}`).join('; ')})`);
  const F = p.featureNames.length;
  const X = new Float32Array(keep.length * F);
  keep.forEach((r, i) => {
    for (let f = 0; f < F; f++) X[i * F + f] = ds.X[r * ds.nFeatures + cols[f]!]!;
  });
  const pred = p.predict(X, keep.length, F);
  const binaryTruth = keep.map((r) => ds.target[r]!);
  let m;
  if (byClass || binaryModel) {
    m = scoreClassifier({ classes: p.classes, truth, pred: pred.cls, proba: pred.proba, normalClass: binaryModel ? 0 : normalClass, binaryTruth });
  } else {
    const K = p.classes.length;
    const proba = new Float64Array(keep.length * 2);
    const cls = new Uint16Array(keep.length);
    for (let i = 0; i < keep.length; i++) {
      proba[2 * i] = pred.proba[i * K + normalClass]!;
      proba[2 * i + 1] = 1 - proba[2 * i]!;
      cls[i] = pred.cls[i] === normalClass ? 0 : 1;
    }
    m = scoreClassifier({ classes: ['normal', 'anomaly'], truth, pred: cls, proba, normalClass: 0, binaryTruth });
  }
  const cond = subsetConditions(ds.conditions, keep);
  const predNormal = binaryModel ? 0 : normalClass;
  const byCondition = cond
    ? figuresByCondition({ conditions: cond, truth: binaryTruth, pred: Array.from(pred.cls, (k) => (k === predNormal ? 0 : 1)), truthClass: byClass ? truth : undefined, predClass: byClass ? pred.cls : undefined, classes: byClass ? p.classes : undefined, snrRange: p.conditions?.snrDb })
    : undefined;
  return { ...m, model: { kind: p.kind, classes: p.classes }, dropped: { count: ds.nRows - keep.length, byReason }, byCondition };
}

export function formatMetrics(m: Metrics): string {
  const pct = (v: number): string => (Number.isNaN(v) ? 'n/a' : v.toFixed(4));
  const lines = [
    `rows ${m.rows}  accuracy ${pct(m.accuracy)}  macro-F1 ${pct(m.macroF1)}  false alarms ${Number.isNaN(m.falseAlarmRate) ? 'n/a' : (100 * m.falseAlarmRate).toFixed(2) + ' %'} of normal windows`,
    `anomaly: precision ${pct(m.precision)}  recall ${pct(m.recall)}  F1 ${pct(m.f1)}  AUC-ROC ${pct(m.aucRoc)}` +
      (m.aucRocMacro !== undefined ? `  (one-vs-rest macro AUC ${pct(m.aucRocMacro)})` : ''),
    'per class (precision / recall / F1 / support):',
    ...m.perClass.map((c) => `  ${c.name.padEnd(28)} ${pct(c.precision)} ${pct(c.recall)} ${pct(c.f1)} ${String(c.support).padStart(6)}`),
  ];
  return lines.join('\n') + '\n';
}
