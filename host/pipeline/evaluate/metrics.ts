/** Classification metrics: the figures `fit`, `evaluate` and the bench print. Pure functions of labels and scores. */

export interface ClassFigures {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface RocCurve {
  fpr: number[];
  tpr: number[];
}

export interface Metrics {
  rows: number;
  accuracy: number;
  /** Binary figures for the positive (anomaly) class. */
  precision: number;
  recall: number;
  f1: number;
  /** Mean F1 over the classes present (multiclass when scored on classes, else over normal/anomaly). */
  macroF1: number;
  /** Binary AUC of the anomaly score; for multiclass scoring see aucRocMacro. */
  aucRoc: number;
  aucRocMacro?: number;
  /** Share of the truly normal windows called anomalies (the alarm LED's false alarms). */
  falseAlarmRate: number;
  classes: string[];
  /** confusion[true][predicted]. */
  confusion: number[][];
  perClass: ClassFigures[];
  roc: RocCurve;
}

export function confusionMatrix(truth: ArrayLike<number>, pred: ArrayLike<number>, k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]!]![pred[i]!]!++;
  return m;
}

export function perClassFigures(confusion: number[][], classes: string[]): ClassFigures[] {
  const k = classes.length;
  return classes.map((name, c) => {
    const tp = confusion[c]![c]!;
    let predicted = 0;
    let support = 0;
    for (let j = 0; j < k; j++) {
      predicted += confusion[j]![c]!;
      support += confusion[c]![j]!;
    }
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { name, precision, recall, f1, support };
  });
}

/** Rank AUC (Mann-Whitney, ties count half) and the ROC curve, thinned to at most maxPoints for charts. */
export function rocAuc(positive: ArrayLike<number>, score: ArrayLike<number>, maxPoints = 200): { auc: number; roc: RocCurve } {
  const n = positive.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b]! - score[a]!);
  let P = 0;
  for (let i = 0; i < n; i++) if (positive[i]) P++;
  const N = n - P;
  const fpr = [0];
  const tpr = [0];
  if (P === 0 || N === 0) return { auc: NaN, roc: { fpr: [0, 1], tpr: [0, 1] } };
  let tp = 0;
  let fp = 0;
  let auc = 0;
  for (let i = 0; i < n; ) {
    let dtp = 0;
    let dfp = 0;
    const s = score[order[i]!]!;
    while (i < n && score[order[i]!]! === s) {
      if (positive[order[i]!]) dtp++;
      else dfp++;
      i++;
    }
    auc += dfp * (tp + dtp / 2);
    tp += dtp;
    fp += dfp;
    fpr.push(fp / N);
    tpr.push(tp / P);
  }
  // Thinned for charts, but every point below 5 % FPR is kept: the log axis of the report spreads them out.
  const step = Math.max(1, Math.ceil(fpr.length / maxPoints));
  const keep = (_: number, i: number): boolean => i % step === 0 || i === fpr.length - 1 || fpr[i]! < 0.05;
  return { auc: auc / (P * N), roc: { fpr: fpr.filter(keep), tpr: tpr.filter(keep) } };
}

export interface ScoreInput {
  classes: string[];
  truth: ArrayLike<number>;
  pred: ArrayLike<number>;
  /** rows x classes probabilities. */
  proba: ArrayLike<number>;
  /** Which class index is "normal": the anomaly score is 1 - P(normal). Binary models: class 0. */
  normalClass: number;
  /** Binary truth (0/1) when the data has its own target column; else derived from truth != normal. */
  binaryTruth?: ArrayLike<number>;
}

export function scoreClassifier(s: ScoreInput): Metrics {
  const k = s.classes.length;
  const n = s.truth.length;
  const confusion = confusionMatrix(s.truth, s.pred, k);
  const perClass = perClassFigures(confusion, s.classes);
  let right = 0;
  for (let i = 0; i < n; i++) if (s.truth[i] === s.pred[i]) right++;
  const present = perClass.filter((c) => c.support > 0);
  const macroF1 = present.reduce((a, c) => a + c.f1, 0) / Math.max(1, present.length);

  const yb = new Uint8Array(n);
  const pb = new Uint8Array(n);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    yb[i] = s.binaryTruth ? (s.binaryTruth[i] ? 1 : 0) : s.truth[i] === s.normalClass ? 0 : 1;
    pb[i] = s.pred[i] === s.normalClass ? 0 : 1;
    score[i] = 1 - s.proba[i * k + s.normalClass]!;
  }
  const binConf = confusionMatrix(yb, pb, 2);
  const [bin] = perClassFigures(binConf, ['normal', 'anomaly']).slice(1);
  const normals = binConf[0]![0]! + binConf[0]![1]!;
  const { auc, roc } = rocAuc(yb, score);
  let aucRocMacro: number | undefined;
  if (k > 2) {
    const aucs: number[] = [];
    for (let c = 0; c < k; c++) {
      const pos = new Uint8Array(n);
      const sc = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        pos[i] = s.truth[i] === c ? 1 : 0;
        sc[i] = s.proba[i * k + c]!;
      }
      const a = rocAuc(pos, sc, 2).auc;
      if (!Number.isNaN(a)) aucs.push(a);
    }
    aucRocMacro = aucs.reduce((a, b) => a + b, 0) / Math.max(1, aucs.length);
  }
  return {
    rows: n,
    accuracy: n ? right / n : 0,
    precision: bin!.precision,
    recall: bin!.recall,
    f1: bin!.f1,
    macroF1,
    aucRoc: auc,
    aucRocMacro,
    falseAlarmRate: normals ? binConf[0]![1]! / normals : NaN,
    classes: s.classes.slice(),
    confusion,
    perClass,
    roc,
  };
}
