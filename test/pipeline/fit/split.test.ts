import assert from 'node:assert/strict';
import { splitByGroup, labelsFor } from '../../../host/pipeline/fit/split.ts';
import { fitDataset, FIT_DEFAULTS } from '../../../host/pipeline/fit/index.ts';
import { blobs } from '../../forest/fixtures.ts';

describe('fit: split by window and fit', () => {
  it('never puts rows of one window on both sides, stratifies by class, and is seeded', () => {
    const ds = blobs(3000, 5, 3, 4, 6); // 500 windows of 6 rows
    const { labels } = labelsFor(ds, 'class');
    const a = splitByGroup(ds.group, labels, 0.2, 1);
    const b = splitByGroup(ds.group, labels, 0.2, 1);
    const c = splitByGroup(ds.group, labels, 0.2, 2);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.test, c.test);
    assert.equal(a.train.length + a.test.length, ds.nRows);
    const trainGroups = new Set(Array.from(a.train, (r) => ds.group[r]));
    for (const r of a.test) assert.ok(!trainGroups.has(ds.group[r]!), `window ${ds.group[r]} on both sides`);
    for (let k = 0; k < 3; k++) {
      const all = Array.from(labels).filter((l) => l === k).length;
      const test = Array.from(a.test).filter((r) => labels[r] === k).length;
      assert.ok(Math.abs(test / all - 0.2) < 0.03, `class ${k}: ${test}/${all} in test`);
    }
  });

  it('fits binary and multiclass targets, and refuses empty or one-class data', async () => {
    const ds = blobs(1500, 6, 3, 5, 2);
    const opts = { ...FIT_DEFAULTS, trees: 10, workers: 1 };
    const multi = await fitDataset(ds, opts);
    assert.equal(multi.model.target, 'class');
    assert.equal(multi.model.classes.length, 3);
    assert.ok(multi.test.macroF1 > 0.85, `macro-F1 ${multi.test.macroF1}`);
    const bin = await fitDataset(ds, { ...opts, target: 'binary' });
    assert.deepEqual(bin.model.classes, ['normal', 'anomaly']);
    assert.ok(bin.test.aucRoc > 0.9, `AUC ${bin.test.aucRoc}`);
    const empty = { ...ds, nRows: 0, X: new Float32Array(0), target: new Uint8Array(0), classIdx: new Uint16Array(0), group: new Int32Array(0) };
    await assert.rejects(fitDataset(empty, opts), /empty data set makes no model/);
    await assert.rejects(fitDataset({ ...ds, classIdx: new Uint16Array(ds.nRows) }, opts), /only one class/);
  });

  it('keeps ml-random-forest as a baseline trainer that exports like ours', async () => {
    const ds = blobs(300, 7, 3, 4);
    const r = await fitDataset(ds, { ...FIT_DEFAULTS, trainer: 'ml-random-forest', trees: 4, maxDepth: 6, workers: 1 });
    assert.equal(r.model.params.trainer, 'ml-random-forest');
    assert.equal(r.model.trees.length, 4);
    assert.ok(r.test.accuracy > 0.7, `accuracy ${r.test.accuracy}`);
  });
});
