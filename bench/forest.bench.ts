/**
 * Random forest training: our trainer against scikit-learn's RandomForestClassifier (n_jobs=2) on the same
 * synthetic windows and the same held-out windows, in one run; ml-random-forest on a subset it can finish.
 * The anchor is Debian's python3-sklearn (or any python3 with sklearn); when none is importable the bench says
 * so and installs nothing.
 *   --windows N      windows to generate (default 50000; features cached in out/bench/)
 *   --trees N        trees (default 100)
 *   --mlrf-rows N    training rows for the ml-random-forest comparison (default 2000)
 *   --mlrf-trees N   trees for that comparison (default 10)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { synthesizeWindows } from '../host/pipeline/synth/index.ts';
import { WAVEFORM_FEATURES, waveformFeatures } from '../host/pipeline/process/index.ts';
import { trainForest, type TrainInput, type TrainOptions } from '../host/forest/train.ts';
import { trainMlRandomForest } from '../host/forest/mlrf.ts';
import { predictRows, nodeCount, type ForestModel } from '../host/forest/model.ts';
import { splitByGroup } from '../host/pipeline/fit/split.ts';
import { scoreClassifier, type Metrics } from '../host/pipeline/evaluate/metrics.ts';
import { machineLine } from './machine.ts';

const { values: args } = parseArgs({
  options: { windows: { type: 'string', default: '50000' }, trees: { type: 'string', default: '100' }, 'mlrf-rows': { type: 'string', default: '2000' }, 'mlrf-trees': { type: 'string', default: '10' }, seed: { type: 'string', default: '1' } },
});
const WINDOWS = Number(args.windows);
const TREES = Number(args.trees);
const MLRF_ROWS = Number(args['mlrf-rows']);
const MLRF_TREES = Number(args['mlrf-trees']);
const SEED = Number(args.seed);
const F = WAVEFORM_FEATURES.length;

interface Data {
  X: Float32Array;
  y: Uint16Array;
  target: Uint8Array;
  classes: string[];
}

/** The features of WINDOWS synthetic windows, cached by (windows, seed, feature list). */
function data(): Data {
  const dir = join('out', 'bench');
  const path = join(dir, `forest-${WINDOWS}-${SEED}-${F}.json`);
  if (existsSync(path)) {
    const j = JSON.parse(readFileSync(path, 'utf8'));
    if (j.features.join(',') === WAVEFORM_FEATURES.join(',')) {
      return { X: new Float32Array(Buffer.from(j.X, 'base64').buffer.slice(0)), y: Uint16Array.from(j.y), target: Uint8Array.from(j.target), classes: j.classes };
    }
  }
  const t0 = performance.now();
  const X = new Float32Array(WINDOWS * F);
  const y = new Uint16Array(WINDOWS);
  const target = new Uint8Array(WINDOWS);
  const classes: string[] = [];
  let i = 0;
  for (const w of synthesizeWindows({ windows: WINDOWS, seed: SEED })) {
    waveformFeatures(w.voltage, 6400, 50, 230, X.subarray(i * F, (i + 1) * F));
    let c = classes.indexOf(w.cls);
    if (c < 0) c = classes.push(w.cls) - 1;
    y[i] = c;
    target[i] = w.target;
    i++;
  }
  process.stdout.write(`generated ${WINDOWS} windows in ${((performance.now() - t0) / 1000).toFixed(1)} s (cached in ${path})\n`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, JSON.stringify({ features: WAVEFORM_FEATURES, X: Buffer.from(X.buffer).toString('base64'), y: Array.from(y), target: Array.from(target), classes }));
  return { X, y, target, classes };
}

function gather(X: Float32Array, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * F);
  rows.forEach((r, i) => out.set(X.subarray(r * F, (r + 1) * F), i * F));
  return out;
}

function score(d: Data, test: Int32Array, pred: ArrayLike<number>, proba: ArrayLike<number>): Metrics {
  const normal = Math.max(0, d.classes.indexOf('normal'));
  return scoreClassifier({ classes: d.classes, truth: Uint16Array.from(test, (r) => d.y[r]!), pred, proba, normalClass: normal, binaryTruth: Uint8Array.from(test, (r) => d.target[r]!) });
}

const SKLEARN = String.raw`
import sys, time, json
import numpy as np
from sklearn.ensemble import RandomForestClassifier
d, F, trees, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
Xtr = np.fromfile(d + '/Xtr.f32', dtype='<f4').reshape(-1, F); ytr = np.fromfile(d + '/ytr.u16', dtype='<u2')
Xte = np.fromfile(d + '/Xte.f32', dtype='<f4').reshape(-1, F)
m = RandomForestClassifier(n_estimators=trees, n_jobs=2, random_state=seed)
t = time.perf_counter(); m.fit(Xtr, ytr); fit_s = time.perf_counter() - t
K = int(ytr.max()) + 1
p = np.zeros((len(Xte), K)); p[:, m.classes_] = m.predict_proba(Xte)
p.astype('<f8').tofile(d + '/proba.f64')
print(json.dumps({"seconds": fit_s, "nodes": int(sum(e.tree_.node_count for e in m.estimators_)), "version": __import__('sklearn').__version__}))
`;

function findSklearn(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import sklearn, numpy'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, (performance.now() - t0) / 1000];
}

const fmt = (v: number): string => (Number.isNaN(v) ? 'n/a' : v.toFixed(4));

const d = data();
const split = splitByGroup(Int32Array.from({ length: WINDOWS }, (_, i) => i), d.y, 0.2, SEED);
const Xte = gather(d.X, split.test);
const input: TrainInput = { X: d.X, nFeatures: F, featureNames: [...WAVEFORM_FEATURES], labels: d.y, classes: d.classes, target: 'class', rows: split.train };
// sklearn's defaults: fully grown trees, min_samples_leaf 1, sqrt(features) per split, no class weights.
const full: TrainOptions = { trees: TREES, maxDepth: 1 << 30, minLeaf: 1, maxBins: 256, classWeight: 'none', seed: SEED, workers: Math.min(2, availableParallelism()) };

process.stdout.write(`${machineLine()}\n${WINDOWS} windows x ${F} features, ${d.classes.length} classes; train ${split.train.length} / test ${split.test.length} windows (split by window); ${TREES} trees\n`);
const [ours, oursS] = await timed(() => trainForest(input, full));
const op = predictRows(ours, Xte, split.test.length, F);
const om = score(d, split.test, op.cls, op.proba);
const rowsOut: string[][] = [['trainer', 'train s', 'macro-F1', 'AUC (anomaly)', 'AUC (1-vs-rest)', 'nodes']];
const nodes = (m: ForestModel): number => {
  const n = nodeCount(m);
  return n.internal + n.leaves;
};
rowsOut.push([`jerrywatt (${full.workers} workers)`, oursS.toFixed(2), fmt(om.macroF1), fmt(om.aucRoc), fmt(om.aucRocMacro ?? NaN), String(nodes(ours))]);
// The same forest on one thread (same seed, so the same trees): how much the second core buys.
const [one, oneS] = await timed(() => trainForest(input, { ...full, workers: 1 }));
rowsOut.push(['jerrywatt (1 thread)', oneS.toFixed(2), fmt(om.macroF1), fmt(om.aucRoc), fmt(om.aucRocMacro ?? NaN), String(nodes(one))]);

const py = findSklearn();
let skS = NaN;
let skm: Metrics | undefined;
if (!py) {
  rowsOut.push(['scikit-learn', 'missing', '', '', '', '']);
  process.stdout.write('ANCHOR MISSING: no python3 with scikit-learn (Debian: apt-get install python3-sklearn); nothing was installed\n');
} else {
  const dir = mkdtempSync(join(tmpdir(), 'jw-forest-bench-'));
  try {
    writeFileSync(join(dir, 'Xtr.f32'), gather(d.X, split.train));
    writeFileSync(join(dir, 'ytr.u16'), Uint16Array.from(split.train, (r) => d.y[r]!));
    writeFileSync(join(dir, 'Xte.f32'), Xte);
    const r = spawnSync(py, ['-c', SKLEARN, dir, String(F), String(TREES), String(SEED)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sklearn run failed: ${r.stderr}`);
    const info = JSON.parse(r.stdout.trim().split('\n').pop()!) as { seconds: number; nodes: number; version: string };
    const proba = new Float64Array(readFileSync(join(dir, 'proba.f64')).buffer.slice(0));
    const K = d.classes.length;
    const pred = Uint16Array.from(split.test, (_, i) => {
      let b = 0;
      for (let c = 1; c < K; c++) if (proba[i * K + c]! > proba[i * K + b]!) b = c;
      return b;
    });
    skm = score(d, split.test, pred, proba);
    skS = info.seconds;
    rowsOut.push([`scikit-learn ${info.version} (n_jobs=2)`, skS.toFixed(2), fmt(skm.macroF1), fmt(skm.aucRoc), fmt(skm.aucRocMacro ?? NaN), String(info.nodes)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ml-random-forest: O(rows^2) per tree, so a subset, with ours on the very same subset and options.
const subRows = split.train.subarray(0, Math.min(MLRF_ROWS, split.train.length));
const subOpts: TrainOptions = { ...full, trees: MLRF_TREES, maxDepth: 1 << 30, minLeaf: 1 };
const [ml, mlS] = await timed(() => trainMlRandomForest({ ...input, rows: subRows }, subOpts));
const [oursSub, oursSubS] = await timed(() => trainForest({ ...input, rows: subRows }, subOpts));
const mp = predictRows(ml, Xte, split.test.length, F);
const sp = predictRows(oursSub, Xte, split.test.length, F);
const mm = score(d, split.test, mp.cls, mp.proba);
const sm = score(d, split.test, sp.cls, sp.proba);
rowsOut.push([`ml-random-forest (${subRows.length} rows, ${MLRF_TREES} trees)`, mlS.toFixed(2), fmt(mm.macroF1), fmt(mm.aucRoc), fmt(mm.aucRocMacro ?? NaN), String(nodes(ml))]);
rowsOut.push([`jerrywatt (${subRows.length} rows, ${MLRF_TREES} trees)`, oursSubS.toFixed(2), fmt(sm.macroF1), fmt(sm.aucRoc), fmt(sm.aucRocMacro ?? NaN), String(nodes(oursSub))]);

const widths = rowsOut[0]!.map((_, c) => Math.max(...rowsOut.map((r) => r[c]!.length)));
for (const r of rowsOut) process.stdout.write(r.map((v, c) => (c ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join('  ') + '\n');
process.stdout.write('ratios:\n');
if (skm) {
  const speed = skS / oursS;
  const df1 = om.macroF1 - skm.macroF1;
  process.stdout.write(`  training time, scikit-learn / jerrywatt: ${speed.toFixed(2)}x (${speed >= 1 ? 'faster' : 'SLOWER'} than sklearn; goal >= 1)\n`);
  const signed = (v: number): string => (v >= 0 ? '+' : '') + v.toFixed(5);
  process.stdout.write(`  macro-F1, jerrywatt - scikit-learn: ${signed(df1)} (goal >= -0.005: ${df1 >= -0.005 ? 'met' : 'NOT met'})\n`);
  process.stdout.write(`  AUC (anomaly), jerrywatt - scikit-learn: ${signed(om.aucRoc - skm.aucRoc)}; one-vs-rest macro AUC: ${signed((om.aucRocMacro ?? NaN) - (skm.aucRocMacro ?? NaN))}\n`);
} else process.stdout.write('  scikit-learn: anchor missing, no ratio\n');
process.stdout.write(`  training time, ml-random-forest / jerrywatt on ${subRows.length} rows: ${(mlS / oursSubS).toFixed(1)}x\n`);
