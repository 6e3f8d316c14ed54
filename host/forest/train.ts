/**
 * Our random forest trainer. Why not ml-random-forest: its CART rescans every column for every split, so
 * training grows with the square of the rows (10 trees on 4,000 rows: 38 s), it samples features once per tree,
 * and its probabilities drop a tree. This one bins features once, grows trees on typed arrays, and spreads the
 * trees over worker threads (one per core by default). Deterministic for a seed, whatever the worker count.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { binRows } from './binning.ts';
import { runTreeJob, type TreeJob, type TreeResult } from './job.ts';
import { argmax, MODEL_FORMAT, MODEL_FORMAT_VERSION, type ForestModel, type ForestParams, type TargetKind, type TreeArrays } from './model.ts';

export interface TrainInput {
  /** Row-major features of ALL rows; `rows` picks the training ones. */
  X: Float32Array;
  nFeatures: number;
  featureNames: string[];
  /** Label per row of X (index into classes). */
  labels: Uint16Array;
  classes: string[];
  target: TargetKind;
  rows: Int32Array;
}

export interface TrainOptions {
  trees: number;
  maxDepth: number;
  minLeaf: number;
  /** Features tried per split; default floor(sqrt(nFeatures)). */
  maxFeatures?: number;
  maxBins: number;
  classWeight: 'balanced' | 'none';
  seed: number;
  /** Worker threads; 0 or 1 trains in this thread. Default: one per core. */
  workers?: number;
  onProgress?: (treesDone: number, trees: number) => void;
  /** Receives the out-of-bag votes: rows.length x classes, in the order of `rows` (for threshold choice). */
  onOobVotes?: (votes: Float64Array) => void;
}

export const DEFAULT_WORKERS = Math.max(1, availableParallelism());

export async function trainForest(input: TrainInput, opts: TrainOptions): Promise<ForestModel> {
  const { X, nFeatures: F, rows, classes } = input;
  const K = classes.length;
  const n = rows.length;
  if (n === 0) throw new Error('no training rows: refusing to build an empty model');
  if (K < 2) throw new Error(`need at least two classes, have ${K}`);
  if (!(opts.trees >= 1)) throw new Error('need at least one tree');

  // Bundle the worker code while the main thread bins the features.
  const wantWorkers = Math.max(1, Math.min(opts.workers ?? DEFAULT_WORKERS, opts.trees));
  const codeReady = wantWorkers > 1 ? bundledWorker().then((c) => c, (e: Error) => e) : undefined;
  const binned = binRows(X, F, rows, opts.maxBins, true);
  const y = new Uint16Array(new SharedArrayBuffer(n * 2));
  const counts = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    y[i] = input.labels[rows[i]!]!;
    counts[y[i]!]++;
  }
  const present = counts.filter((c) => c > 0).length;
  const classWeight = new Float64Array(K).fill(1);
  if (opts.classWeight === 'balanced') for (let c = 0; c < K; c++) classWeight[c] = counts[c]! > 0 ? n / (present * counts[c]!) : 0;

  const maxFeatures = Math.max(1, Math.min(F, opts.maxFeatures ?? Math.floor(Math.sqrt(F))));
  const params = { maxDepth: opts.maxDepth, minLeaf: Math.max(1, opts.minLeaf), maxFeatures };
  const data = { bins: binned.bins, n, nFeatures: F, nClasses: K, y, classWeight };
  const workers = wantWorkers;
  const shares: number[][] = Array.from({ length: workers }, () => []);
  for (let t = 0; t < opts.trees; t++) shares[t % workers]!.push(t);

  const results: TreeResult[] = new Array(opts.trees);
  const oob = new Float64Array(n * K);
  let done = 0;
  const onTree = (r: TreeResult): void => {
    results[r.index] = r;
    opts.onProgress?.(++done, opts.trees);
  };
  const jobs: TreeJob[] = shares.map((treeIndices) => ({ data, params, seed: opts.seed >>> 0, treeIndices }));
  if (workers === 1) {
    const r = runTreeJob(jobs[0]!, onTree);
    oob.set(r.oobVotes);
  } else {
    const ready = await codeReady!;
    const code = typeof ready === 'string' ? ready : undefined;
    // No esbuild (a trimmed install): the same forest, on one thread.
    if (code === undefined) process.stderr.write(`forest: worker threads unavailable (${String((ready as Error).message).split('\n')[0]}); training on one thread\n`);
    if (code === undefined) oob.set(runTreeJob({ ...jobs[0]!, treeIndices: shares.flat().sort((a, b) => a - b) }, onTree).oobVotes);
    else {
      const parts = await Promise.all(jobs.map((job) => runInWorker(code!, job, onTree)));
      for (const p of parts) for (let i = 0; i < p.length; i++) oob[i] += p[i]!;
    }
  }

  const trees: TreeArrays[] = results.map(({ tree }) => ({
    feature: tree.feature,
    threshold: tree.feature.map((f, i) => binned.edges[f]![tree.splitBin[i]!]!),
    left: tree.left,
    right: tree.right,
    leaves: tree.leaves,
  }));
  const importance = new Array<number>(F).fill(0);
  for (const { tree } of results) {
    const sum = tree.importance.reduce((a, b) => a + b, 0);
    if (sum > 0) for (let f = 0; f < F; f++) importance[f]! += tree.importance[f]! / sum;
  }
  const impSum = importance.reduce((a, b) => a + b, 0);
  if (impSum > 0) for (let f = 0; f < F; f++) importance[f]! /= impSum;

  opts.onOobVotes?.(oob);
  let oobRows = 0;
  let oobRight = 0;
  for (let i = 0; i < n; i++) {
    const v = oob.subarray(i * K, (i + 1) * K);
    if (!v.some((x) => x > 0)) continue;
    oobRows++;
    if (argmax(v) === y[i]) oobRight++;
  }

  const fp: ForestParams = {
    trainer: 'jerrywatt',
    trees: opts.trees,
    maxDepth: opts.maxDepth,
    minLeaf: params.minLeaf,
    maxFeatures,
    maxBins: opts.maxBins,
    classWeight: opts.classWeight,
    seed: opts.seed,
  };
  return {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    target: input.target,
    featureNames: input.featureNames.slice(),
    classes: classes.slice(),
    trees,
    importance,
    params: fp,
    oob: oobRows ? { accuracy: oobRight / oobRows, rows: oobRows } : undefined,
  };
}

/**
 * The worker's code: worker.ts and its imports bundled by esbuild into one CommonJS script, once per process.
 * Loading TypeScript through tsx inside each worker instead costs about 0.6 s a worker.
 */
let workerCode: Promise<string> | undefined;
function bundledWorker(): Promise<string> {
  workerCode ??= import('esbuild').then(async (esbuild) => {
    const r = await esbuild.build({ entryPoints: [fileURLToPath(new URL('./worker.ts', import.meta.url))], bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'silent' });
    return r.outputFiles[0]!.text;
  });
  return workerCode;
}

function runInWorker(code: string, job: TreeJob, onTree: (r: TreeResult) => void): Promise<Float64Array> {
  // execArgv [] : the worker is plain JavaScript, it must not load the parent's --import tsx (0.2 s a worker).
  const w = new Worker(code, { eval: true, workerData: job, execArgv: [] });
  return new Promise((resolve, reject) => {
    w.on('message', (msg: ({ kind: 'tree' } & TreeResult) | { kind: 'done'; oobVotes: Float64Array }) => {
      if (msg.kind === 'tree') onTree({ index: msg.index, tree: msg.tree });
      else {
        resolve(msg.oobVotes);
        void w.terminate();
      }
    });
    w.on('error', reject);
    w.on('exit', (code) => {
      if (code !== 0) reject(new Error(`forest worker exited with code ${code}`));
    });
  });
}
