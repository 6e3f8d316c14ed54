/**
 * The host forest model: what `fit` saves as model.json, `evaluate` reads, and `export` packs for the device.
 * Trees are flat arrays in pre-order. A child link >= 0 is an internal node of the same tree; a negative link
 * ~l is leaf l of that tree. A leaf holds integer class votes that sum to LEAF_SCALE, so host and device add up
 * exactly the same integers (bit-identical probabilities, same ties).
 */
export const MODEL_FORMAT = 'jerrywatt-forest';
export const MODEL_FORMAT_VERSION = 1;
export const LEAF_SCALE = 255;

export interface TreeArrays {
  feature: number[];
  /** float32 values: go left when x <= threshold. */
  threshold: number[];
  left: number[];
  right: number[];
  /** nLeaves x nClasses votes, row-major, each row summing to LEAF_SCALE. */
  leaves: number[];
}

export type TargetKind = 'class' | 'binary';

export interface ForestParams {
  trainer: 'jerrywatt' | 'ml-random-forest';
  trees: number;
  maxDepth: number;
  minLeaf: number;
  maxFeatures: number;
  maxBins: number;
  classWeight: 'balanced' | 'none';
  seed: number;
}

/**
 * The alarm decision: a row is an anomaly when the trees' votes against `normalClass` reach minAnomalyVotes
 * (of nTrees x LEAF_SCALE), and then it is the most voted other class. Integer votes, so host and device
 * decide identically. Absent (or minAnomalyVotes 0): the most voted class wins.
 */
export interface Decision {
  normalClass: number;
  minAnomalyVotes: number;
  /** The false-alarm rate it was chosen for, on out-of-bag votes of normal training windows. */
  maxFalseAlarm?: number;
}

/** Where a model is valid: the conditions of its training data (host/model/conditions.ts checks data against it). */
export interface ModelConditions {
  /** Feature definitions and their version, e.g. "waveform-2" or "meter-2". */
  featureSet: string;
  /** Sampling rates trained on (Hz); data between the lowest and the highest is inside. Empty: not applicable. */
  samplingRates: number[];
  mainsFrequencies: number[];
  nominalVoltages: number[];
  /** SNR range (dB) of the training windows, when known. */
  snrDb?: [number, number];
}

export interface ForestModel {
  format: typeof MODEL_FORMAT;
  version: number;
  target: TargetKind;
  featureNames: string[];
  classes: string[];
  trees: TreeArrays[];
  /** Mean decrease in impurity, normalised to sum to 1. */
  importance: number[];
  params: ForestParams;
  oob?: { accuracy: number; rows: number };
  decision?: Decision;
  conditions?: ModelConditions;
}

export function nodeCount(m: ForestModel): { internal: number; leaves: number } {
  let internal = 0;
  let leaves = 0;
  for (const t of m.trees) {
    internal += t.feature.length;
    leaves += t.leaves.length / m.classes.length;
  }
  return { internal, leaves };
}

/** Adds each tree's integer votes for row x into votes (length nClasses). Returns votes. */
export function forestVotes(m: ForestModel, x: ArrayLike<number>, votes: Float64Array | Uint32Array): Float64Array | Uint32Array {
  const k = m.classes.length;
  votes.fill(0);
  for (const t of m.trees) {
    let n = t.feature.length ? 0 : -1;
    while (n >= 0) n = x[t.feature[n]!]! <= t.threshold[n]! ? t.left[n]! : t.right[n]!;
    const base = ~n * k;
    for (let c = 0; c < k; c++) votes[c] += t.leaves[base + c]!;
  }
  return votes;
}

/** Highest vote wins; ties go to the lower class index (the device does the same). */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < v.length; c++) if (v[c]! > v[best]!) best = c;
  return best;
}

/** Class for integer votes under a decision (see Decision); plain argmax without one. */
export function decide(votes: ArrayLike<number>, total: number, d: Decision | undefined): number {
  if (!d || d.minAnomalyVotes <= 0) return argmax(votes);
  const normal = d.normalClass;
  if (total - votes[normal]! < d.minAnomalyVotes) return normal;
  let best = -1;
  for (let c = 0; c < votes.length; c++) if (c !== normal && (best < 0 || votes[c]! > votes[best]!)) best = c;
  return best;
}

export interface ForestPredictions {
  cls: Uint16Array;
  /** nRows x nClasses probabilities. */
  proba: Float64Array;
}

export function predictRows(m: ForestModel, X: Float32Array, nRows: number, nFeatures: number): ForestPredictions {
  const k = m.classes.length;
  const cls = new Uint16Array(nRows);
  const proba = new Float64Array(nRows * k);
  const votes = new Float64Array(k);
  const total = m.trees.length * LEAF_SCALE;
  for (let r = 0; r < nRows; r++) {
    forestVotes(m, X.subarray(r * nFeatures, (r + 1) * nFeatures), votes);
    cls[r] = decide(votes, total, m.decision);
    for (let c = 0; c < k; c++) proba[r * k + c] = votes[c]! / total;
  }
  return { cls, proba };
}

/** Structural checks for a model read from disk: refuses what would crash or loop. */
export function validateModel(m: unknown): ForestModel {
  const fail = (why: string): never => {
    throw new Error(`not a usable jerrywatt model: ${why}`);
  };
  if (!m || typeof m !== 'object') fail('not a JSON object');
  const o = m as ForestModel;
  if (o.format !== MODEL_FORMAT) fail(`format is ${JSON.stringify(o.format)}, expected "${MODEL_FORMAT}"`);
  if (o.version !== MODEL_FORMAT_VERSION) fail(`format version ${o.version}; this jerrywatt reads version ${MODEL_FORMAT_VERSION}`);
  if (!Array.isArray(o.featureNames) || !o.featureNames.length) fail('no feature names');
  if (!Array.isArray(o.classes) || o.classes.length < 2) fail('fewer than two classes');
  if (!Array.isArray(o.trees) || !o.trees.length) fail('no trees');
  if (o.decision !== undefined) {
    const d = o.decision;
    if (!d || !Number.isInteger(d.normalClass) || d.normalClass < 0 || d.normalClass >= o.classes.length || !Number.isInteger(d.minAnomalyVotes) || d.minAnomalyVotes < 0) fail('bad decision threshold');
  }
  const k = o.classes.length;
  const f = o.featureNames.length;
  o.trees.forEach((t, i) => {
    const n = t.feature?.length ?? -1;
    if (n < 0 || t.threshold?.length !== n || t.left?.length !== n || t.right?.length !== n || !Array.isArray(t.leaves)) fail(`tree ${i}: ragged arrays`);
    const nLeaves = t.leaves.length / k;
    if (!Number.isInteger(nLeaves) || nLeaves < 1) fail(`tree ${i}: leaves not a multiple of the class count`);
    for (let j = 0; j < n; j++) {
      if (!(t.feature[j]! >= 0 && t.feature[j]! < f)) fail(`tree ${i} node ${j}: feature index out of range`);
      for (const c of [t.left[j]!, t.right[j]!]) {
        // Children come after their parent (pre-order), so a walk always ends.
        if (!Number.isInteger(c) || (c >= 0 && (c <= j || c >= n)) || (c < 0 && ~c >= nLeaves)) fail(`tree ${i} node ${j}: bad child link ${c}`);
      }
    }
  });
  return o;
}
