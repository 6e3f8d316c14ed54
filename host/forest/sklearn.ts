/**
 * scikit-learn's RandomForestClassifier on the same rows, for comparisons (tests and benchmarks): the anchor
 * our forest is measured against. Finds a python3 that imports sklearn (Debian's python3-sklearn lives at
 * /usr/bin/python3; a pyenv shim first on PATH may lack it); installs nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = String.raw`
import sys, json, time
import numpy as np
from sklearn.ensemble import RandomForestClassifier
d, F, ntr, nte, trees, seed, jobs, depth, leaf, weight = sys.argv[1], *map(int, sys.argv[2:10]), sys.argv[10]
Xtr = np.fromfile(d + '/xtr.f32', dtype='<f4').reshape(ntr, F)
ytr = np.fromfile(d + '/ytr.u16', dtype='<u2')
Xte = np.fromfile(d + '/xte.f32', dtype='<f4').reshape(nte, F)
m = RandomForestClassifier(n_estimators=trees, n_jobs=jobs, random_state=seed, max_depth=depth if depth > 0 else None,
                           min_samples_leaf=leaf, class_weight=None if weight == 'none' else weight)
t = time.perf_counter(); m.fit(Xtr, ytr); fit_s = time.perf_counter() - t
K = int(ytr.max()) + 1
p = np.zeros((nte, K)); p[:, m.classes_] = m.predict_proba(Xte)
p.astype('<f8').tofile(d + '/proba.f64')
print(json.dumps({"seconds": fit_s, "nodes": int(sum(e.tree_.node_count for e in m.estimators_)), "version": __import__('sklearn').__version__}))
`;

/** The python3 that imports sklearn and numpy, or undefined. */
export function findSklearnPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import sklearn, numpy'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return undefined;
}

export interface SklearnRun {
  /** nTest x nClasses probabilities. */
  proba: Float64Array;
  seconds: number;
  nodes: number;
  version: string;
}

export interface SklearnOptions {
  trees: number;
  seed: number;
  jobs: number;
  /** 0: unlimited (sklearn's default). */
  maxDepth?: number;
  minLeaf?: number;
  classWeight?: 'balanced' | 'none';
}

/** Trains on (Xtr, ytr) and predicts Xte; throws when python fails. */
export function runSklearn(python: string, Xtr: Float32Array, ytr: Uint16Array, Xte: Float32Array, nFeatures: number, nClasses: number, o: SklearnOptions): SklearnRun {
  const dir = mkdtempSync(join(tmpdir(), 'jw-sklearn-'));
  try {
    const ntr = ytr.length;
    const nte = Xte.length / nFeatures;
    writeFileSync(join(dir, 'xtr.f32'), Buffer.from(Xtr.buffer, Xtr.byteOffset, Xtr.byteLength));
    writeFileSync(join(dir, 'ytr.u16'), Buffer.from(ytr.buffer, ytr.byteOffset, ytr.byteLength));
    writeFileSync(join(dir, 'xte.f32'), Buffer.from(Xte.buffer, Xte.byteOffset, Xte.byteLength));
    writeFileSync(join(dir, 'rf.py'), SCRIPT);
    const args = [join(dir, 'rf.py'), dir, nFeatures, ntr, nte, o.trees, o.seed, o.jobs, o.maxDepth ?? 0, o.minLeaf ?? 1, o.classWeight ?? 'none'].map(String);
    const r = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`scikit-learn failed: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`);
    const res = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { seconds: number; nodes: number; version: string };
    const raw = new Float64Array(readFileSync(join(dir, 'proba.f64')).buffer.slice(0));
    const K = raw.length / nte;
    // Classes above the highest training label are absent from sklearn's output: pad to nClasses.
    const proba = new Float64Array(nte * nClasses);
    for (let i = 0; i < nte; i++) for (let c = 0; c < Math.min(K, nClasses); c++) proba[i * nClasses + c] = raw[i * K + c]!;
    return { proba, seconds: res.seconds, nodes: res.nodes, version: res.version };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
