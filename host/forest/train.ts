/**
 * Our random forest trainer. Why not ml-random-forest: its CART rescans every column for every split, so
 * training grows with the square of the rows (`npm run bench forest` measures it beside ours), it samples features once per tree,
 * and its probabilities drop a tree. This one bins features once, grows trees on typed arrays, and spreads the
 * trees over worker threads (one per core by default). Deterministic for a seed, whatever the worker count.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
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

  const wantWorkers = Math.max(1, Math.min(opts.workers ?? DEFAULT_WORKERS, opts.trees));
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
    const parts = await runInWorkers(jobs, onTree);
    for (const p of parts) for (let i = 0; i < p.length; i++) oob[i] += p[i]!;
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
 * One worker thread per job. Compiled (dist/js/), the worker is worker.js beside this file; run from source
 * (tsx, as the tests do), worker-source.mjs loads worker.ts through tsx inside the worker. A worker that fails to start or
 * dies fails the training, and the others are stopped: no silent fallback to one thread.
 */
export function workerEntry(selfUrl: string = import.meta.url): { url: URL; fromSource: boolean } {
  const fromSource = selfUrl.endsWith('.ts');
  return { url: new URL(fromSource ? './worker.ts' : './worker.js', selfUrl), fromSource };
}

function startWorker(job: TreeJob): Worker {
  // execArgv []: the worker must not inherit the parent's flags (a parent's --import tsx would load tsx again in every worker).
  const { url, fromSource } = workerEntry();
  return new Worker(fromSource ? new URL('./worker-source.mjs', url) : url, { workerData: job, execArgv: [] });
}

export async function runInWorkers(jobs: TreeJob[], onTree: (r: TreeResult) => void, start: (job: TreeJob) => Worker = startWorker): Promise<Float64Array[]> {
  const workers: Worker[] = [];
  try {
    return await Promise.all(jobs.map((job) => {
      const w = start(job);
      workers.push(w);
      return new Promise<Float64Array>((resolve, reject) => {
        w.on('message', (msg: ({ kind: 'tree' } & TreeResult) | { kind: 'done'; oobVotes: Float64Array }) => {
          if (msg.kind === 'tree') onTree({ index: msg.index, tree: msg.tree });
          else resolve(msg.oobVotes);
        });
        w.on('error', (err) => reject(new Error(`forest worker failed: ${err.message}`)));
        w.on('exit', (code) => reject(new Error(`forest worker exited with code ${code} before it finished`)));
      });
    }));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
