import assert from 'node:assert/strict';
import { trainForest, type TrainInput } from '../../host/forest/train.ts';
import { predictRows, validateModel, LEAF_SCALE, type ForestModel, type TreeArrays } from '../../host/forest/model.ts';
import { computeEdges, binOf } from '../../host/forest/binning.ts';
import { Rng } from '../../host/forest/rng.ts';
import { blobs } from './fixtures.ts';

function input(n: number, seed: number): { inp: TrainInput; test: Int32Array } {
  const ds = blobs(n, seed);
  const cut = Math.floor(n * 0.8);
  return {
    inp: { X: ds.X, nFeatures: ds.nFeatures, featureNames: ds.featureNames, labels: ds.classIdx, classes: ds.classes, target: 'class', rows: Int32Array.from({ length: cut }, (_, i) => i) },
    test: Int32Array.from({ length: n - cut }, (_, i) => cut + i),
  };
}

const opts = { trees: 12, maxDepth: 8, minLeaf: 2, maxBins: 64, classWeight: 'balanced' as const, seed: 7 };

function depth(t: TreeArrays, node = 0): number {
  if (node < 0 || !t.feature.length) return 0;
  return 1 + Math.max(depth(t, t.left[node]!), depth(t, t.right[node]!));
}

describe('forest trainer', () => {
  it('learns separable blobs and beats chance by far on held-out rows', async () => {
    const { inp, test } = input(1500, 1);
    const m = await trainForest(inp, { ...opts, workers: 1 });
    const F = inp.nFeatures;
    const X = new Float32Array(test.length * F);
    test.forEach((r, i) => X.set(inp.X.subarray(r * F, (r + 1) * F), i * F));
    const p = predictRows(m, X, test.length, F);
    let right = 0;
    test.forEach((r, i) => (right += p.cls[i] === inp.labels[r] ? 1 : 0));
    assert.ok(right / test.length > 0.9, `accuracy ${right / test.length}`);
    assert.ok(m.oob && m.oob.accuracy > 0.85 && m.oob.rows > 0, `oob ${JSON.stringify(m.oob)}`);
    // The informative features (0, 1) carry most of the impurity decrease.
    assert.ok(m.importance[0]! + m.importance[1]! > 0.6, `importance ${m.importance}`);
    assert.ok(Math.abs(m.importance.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  });

  it('is deterministic for a seed, whatever the worker count, and differs for another seed', async () => {
    const { inp } = input(800, 2);
    const a = await trainForest(inp, { ...opts, workers: 1 });
    const b = await trainForest(inp, { ...opts, workers: 2 });
    const c = await trainForest(inp, { ...opts, seed: 8, workers: 1 });
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.notEqual(JSON.stringify(a.trees), JSON.stringify(c.trees));
  });

  it('respects the size controls and writes a valid pre-order model with integer leaves', async () => {
    const { inp } = input(1000, 3);
    const m: ForestModel = await trainForest(inp, { ...opts, trees: 5, maxDepth: 3, minLeaf: 20, workers: 1 });
    assert.equal(m.trees.length, 5);
    validateModel(JSON.parse(JSON.stringify(m)));
    for (const t of m.trees) {
      assert.ok(depth(t) <= 3, `depth ${depth(t)}`);
      for (let l = 0; l < t.leaves.length; l += m.classes.length) {
        const row = t.leaves.slice(l, l + m.classes.length);
        assert.equal(row.reduce((a, b) => a + b, 0), LEAF_SCALE);
        assert.ok(row.every(Number.isInteger));
      }
    }
  });

  it('refuses an empty training set and a single class', async () => {
    const { inp } = input(100, 4);
    await assert.rejects(trainForest({ ...inp, rows: new Int32Array(0) }, opts), /empty model/);
    await assert.rejects(trainForest({ ...inp, classes: ['only'] }, opts), /two classes/);
  });

  it('bins so that bin <= b exactly when x <= edge[b]', () => {
    const rng = new Rng(5);
    const col = Float32Array.from({ length: 5000 }, () => Math.round(rng.next() * 1000) / 7);
    for (const maxBins of [16, 256]) {
      const e = computeEdges(col, maxBins);
      assert.ok(e.length <= maxBins - 1 && e.length > 0);
      for (let i = 1; i < e.length; i++) assert.ok(e[i]! > e[i - 1]!);
      for (const x of col) {
        const b = binOf(e, x);
        for (let j = 0; j < e.length; j += 7) assert.equal(b <= j, x <= e[j]!);
      }
    }
    // Few distinct values: every one gets its own bin.
    const few = Float32Array.from([3, 1, 2, 2, 1, 3]);
    assert.deepEqual(Array.from(computeEdges(few, 256)), [1.5, 2.5]);
    assert.equal(binOf(computeEdges(few, 256), NaN), 2);
  });
});
