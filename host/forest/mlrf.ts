/**
 * The ml-random-forest baseline (`--trainer ml-random-forest`), converted to our model so that export, evaluate
 * and reports work the same. Kept to measure against; its CART is O(rows^2) per tree (see train.ts).
 * Its thresholds are re-rounded to float32 (the device compares float32), and each leaf's class distribution
 * becomes integer votes like ours; its own predictProbability (which drops the first tree) is not used.
 */
import { createRequire } from 'node:module';
import { quantizeLeaf } from './grow.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ForestModel, type TreeArrays } from './model.ts';
import type { TrainInput, TrainOptions } from './train.ts';

interface CartNode {
  splitValue?: number;
  splitColumn?: number;
  left?: CartNode;
  right?: CartNode;
  distribution?: { data: number[][] } | number[][];
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** The largest float32 below s. */
function nextDownF32(s: number): number {
  if (s === 0) return -1.401298464324817e-45;
  f32[0] = s;
  i32[0] += s > 0 ? -1 : 1;
  return f32[0]!;
}

type Baseline = { RandomForestClassifier: new (o: object) => { train(X: number[][], y: number[]): void; toJSON(): object } };

/** ml-random-forest is a development dependency (a benchmark baseline): an installed package does not have it. */
function loadBaseline(): Baseline {
  try {
    return createRequire(import.meta.url)('ml-random-forest') as Baseline;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    throw new Error('--trainer ml-random-forest needs the development dependencies (a git checkout of jerrywatt and npm install); the default trainer needs nothing more');
  }
}

export async function trainMlRandomForest(input: TrainInput, opts: TrainOptions): Promise<ForestModel> {
  const { RandomForestClassifier } = loadBaseline();
  const F = input.nFeatures;
  const K = input.classes.length;
  const X: number[][] = [];
  const y: number[] = [];
  for (const r of input.rows) {
    X.push(Array.from(input.X.subarray(r * F, (r + 1) * F)));
    y.push(input.labels[r]!);
  }
  if (!X.length) throw new Error('no training rows: refusing to build an empty model');
  if (X.length > 5000) process.stderr.write(`ml-random-forest: ${X.length} rows; its training grows with the square of the rows (npm run bench forest measures it), expect a long wait\n`);
  const rf = new RandomForestClassifier({
    nEstimators: opts.trees,
    maxFeatures: opts.maxFeatures ? opts.maxFeatures / F : Math.max(1, Math.floor(Math.sqrt(F))) / F,
    replacement: true,
    seed: opts.seed,
    useSampleBagging: true,
    noOOB: true, // its OOB pass throws when a row is never out of bag (few trees)
    treeOptions: { maxDepth: opts.maxDepth, minNumSamples: Math.max(2, opts.minLeaf) },
  });
  rf.train(X, y);
  // A plain JSON copy: the live estimators hold ml-matrix objects.
  const plain = (JSON.parse(JSON.stringify(rf.toJSON())) as { baseModel: { estimators: { root: CartNode }[]; indexes: number[][] } }).baseModel;
  const trees: TreeArrays[] = plain.estimators.map((est, t) => {
    const cols = plain.indexes[t]!; // each tree sees a column subset: map back to our feature indices
    const tree: TreeArrays = { feature: [], threshold: [], left: [], right: [], leaves: [] };
    const walk = (node: CartNode): number => {
      if (node.left && node.right && node.splitColumn !== undefined) {
        const i = tree.feature.length;
        tree.feature.push(cols[node.splitColumn]!);
        // ml-cart goes left when x < splitValue; on float32 inputs that is x <= the float32 just below it.
        const s = Math.fround(node.splitValue!);
        tree.threshold.push(s < node.splitValue! ? s : nextDownF32(s));
        tree.left.push(0);
        tree.right.push(0);
        tree.left[i] = walk(node.left);
        tree.right[i] = walk(node.right);
        return i;
      }
      const dist = Array.isArray(node.distribution) ? node.distribution : node.distribution!.data;
      const w = new Float64Array(K);
      dist[0]!.forEach((v, c) => (w[c] = v));
      const id = tree.leaves.length / K;
      quantizeLeaf(w, tree.leaves);
      return ~id;
    };
    walk(est.root);
    return tree;
  });
  return {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    target: input.target,
    featureNames: input.featureNames.slice(),
    classes: input.classes.slice(),
    trees,
    importance: new Array<number>(F).fill(1 / F),
    params: { trainer: 'ml-random-forest', trees: opts.trees, maxDepth: opts.maxDepth, minLeaf: opts.minLeaf, maxFeatures: opts.maxFeatures ?? Math.floor(Math.sqrt(F)), maxBins: 0, classWeight: 'none', seed: opts.seed },
  };
}
