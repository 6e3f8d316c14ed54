import assert from 'node:assert/strict';
import { rocAuc, scoreClassifier, confusionMatrix } from '../../../host/pipeline/evaluate/metrics.ts';
import { evaluateDataset } from '../../../host/pipeline/evaluate/index.ts';
import { jsonPredictor, binPredictor } from '../../../host/pipeline/evaluate/predictor.ts';
import { fitDataset, FIT_DEFAULTS } from '../../../host/pipeline/fit/index.ts';
import { packModel } from '../../../host/model/pack.ts';
import { readModelBin } from '../../../host/model/reader.ts';
import { blobs } from '../../forest/fixtures.ts';

describe('evaluate: metrics', () => {
  it('AUC: 1 when ranked right, 0 when reversed, 0.5 for ties; ROC runs from (0,0) to (1,1)', () => {
    assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]).auc, 1);
    assert.equal(rocAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]).auc, 0);
    assert.equal(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]).auc, 0.5);
    assert.equal(rocAuc([0, 1, 1, 0], [0.1, 0.4, 0.35, 0.8]).auc, 0.5);
    const { roc } = rocAuc([0, 1, 1, 0], [0.1, 0.4, 0.35, 0.8]);
    assert.deepEqual([roc.fpr[0], roc.tpr[0], roc.fpr.at(-1), roc.tpr.at(-1)], [0, 0, 1, 1]);
  });

  it('confusion, per-class and macro figures by hand', () => {
    const truth = [0, 0, 0, 1, 1, 2];
    const pred = [0, 0, 1, 1, 2, 2];
    assert.deepEqual(confusionMatrix(truth, pred, 3), [[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
    const proba = pred.flatMap((p) => [0, 1, 2].map((c) => (c === p ? 1 : 0)));
    const m = scoreClassifier({ classes: ['normal', 'a', 'b'], truth, pred, proba, normalClass: 0 });
    assert.equal(m.accuracy, 4 / 6);
    // class 0: p 1, r 2/3 -> f1 0.8; class 1: p 1/2, r 1/2 -> 0.5; class 2: p 1/2, r 1 -> 2/3
    assert.ok(Math.abs(m.macroF1 - (0.8 + 0.5 + 2 / 3) / 3) < 1e-12);
    // binary: anomaly = not normal. truth anomalies rows 3,4,5; predicted anomalies rows 2,3,4,5
    assert.equal(m.precision, 3 / 4);
    assert.equal(m.recall, 1);
  });

  it('scores a data set by feature NAME with either model kind, identically for float32', async () => {
    const ds = blobs(800, 9, 3, 4);
    const fit = await fitDataset(ds, { ...FIT_DEFAULTS, trees: 8, workers: 1 });
    // Same data with the columns reversed and renamed in that order.
    const F = ds.nFeatures;
    const X = new Float32Array(ds.X.length);
    for (let r = 0; r < ds.nRows; r++) for (let f = 0; f < F; f++) X[r * F + f] = ds.X[r * F + (F - 1 - f)]!;
    const shuffled = { ...ds, X, featureNames: ds.featureNames.slice().reverse() };
    const a = evaluateDataset(jsonPredictor(fit.model), ds);
    const b = evaluateDataset(binPredictor(readModelBin(packModel(fit.model).bytes)), shuffled);
    assert.deepEqual(b.confusion, a.confusion);
    assert.equal(a.aucRoc, b.aucRoc);
    assert.ok(a.accuracy > 0.9);
    assert.throws(() => evaluateDataset(jsonPredictor(fit.model), { ...ds, featureNames: ['x', 'y', 'z', 'w'] }), /lacks feature "f0"/);
  });
});

describe('evaluate: a class model on data without classes', () => {
  it('is scored as normal/anomaly against the target column', async () => {
    const ds = blobs(900, 12, 3, 4);
    const fit = await fitDataset(ds, { ...FIT_DEFAULTS, trees: 8, workers: 1 });
    const e = evaluateDataset(jsonPredictor(fit.model), { ...ds, classes: [], classIdx: new Uint16Array(ds.nRows) });
    assert.deepEqual(e.classes, ['normal', 'anomaly']);
    assert.equal(e.confusion.flat().reduce((a, b) => a + b, 0), ds.nRows);
    assert.ok(e.accuracy > 0.9 && e.aucRoc > 0.95, `${e.accuracy} ${e.aucRoc}`);
    assert.equal(e.f1, evaluateDataset(jsonPredictor(fit.model), ds).f1);
  });
});
