import assert from 'node:assert/strict';
import { blobs } from '../forest/fixtures.ts';
import { fitDataset, FIT_DEFAULTS } from '../../host/pipeline/fit/index.ts';
import { predictRows, LEAF_SCALE } from '../../host/forest/model.ts';
import { packModel } from '../../host/model/pack.ts';
import { readModelBin } from '../../host/model/reader.ts';
import { binPredictor } from '../../host/pipeline/evaluate/predictor.ts';
import { modelHeader } from '../../host/model/cheader.ts';
import { decodeConditions, encodeConditions } from '../../host/model/conditions.ts';
import { openModel, predict } from '../../device/model/reader.ts';

describe('model.bin carries where the model is valid and its decision threshold', function () {
  this.timeout(60_000);

  it('encodes and decodes the conditions text', () => {
    const c = { featureSet: 'waveform-2', samplingRates: [1000, 6400], mainsFrequencies: [50, 60], nominalVoltages: [120, 230], snrDb: [20, 50] as [number, number] };
    const text = encodeConditions(c, 5100, 0);
    assert.equal(text, 'fv=waveform-2;fs=1000,6400;mains=50,60;un=120,230;snr=20,50;thr=5100;normal=0');
    assert.deepEqual(decodeConditions(text), { conditions: c, minAnomalyVotes: 5100, normalClass: 0 });
  });

  it('--max-false-alarm picks a threshold (0.15 here, so that it bites on these blobs) that host model, host reader, device reader and model.h all apply alike', async () => {
    const ds = blobs(1500, 5, 3, 5);
    const fit = await fitDataset(ds, { ...FIT_DEFAULTS, trees: 12, workers: 1, maxFalseAlarm: 0.15 });
    const d = fit.model.decision!;
    assert.ok(d && d.minAnomalyVotes > 0 && d.minAnomalyVotes <= 12 * LEAF_SCALE, JSON.stringify(d));
    assert.equal(d.normalClass, 0);
    assert.equal(fit.model.conditions?.featureSet, 'custom');
    // The held-out false-alarm rate lands near the target (out-of-bag votes err towards fewer alarms).
    assert.ok(fit.test.falseAlarmRate <= 0.2, `false alarms ${fit.test.falseAlarmRate}`);

    const bytes = packModel(fit.model).bytes;
    const bin = readModelBin(bytes);
    assert.deepEqual(bin.decision, { normalClass: 0, minAnomalyVotes: d.minAnomalyVotes });
    assert.deepEqual(bin.conditions, fit.model.conditions);
    const dev = openModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    assert.equal(dev.minAnomalyVotes, d.minAnomalyVotes);
    assert.equal(dev.featureSet, 'custom');
    assert.match(modelHeader(bin), new RegExp(`#define JW_MODEL_MIN_ANOMALY_VOTES ${d.minAnomalyVotes}u`));

    const host = predictRows(fit.model, ds.X, ds.nRows, ds.nFeatures);
    const viaBin = binPredictor(bin).predict(ds.X, ds.nRows, ds.nFeatures);
    const argmaxOnly = predictRows({ ...fit.model, decision: undefined }, ds.X, ds.nRows, ds.nFeatures);
    let differ = 0;
    for (let r = 0; r < ds.nRows; r++) {
      const x = ds.X.subarray(r * ds.nFeatures, (r + 1) * ds.nFeatures);
      assert.equal(viaBin.cls[r], host.cls[r], `row ${r}: host reader`);
      assert.equal(predict(dev, x), host.cls[r], `row ${r}: device reader`);
      if (argmaxOnly.cls[r] !== host.cls[r]) differ++;
    }
    // The threshold is not a no-op: it moves some windows between normal and anomaly.
    assert.ok(differ > 0, 'the threshold changed no decision');
  });

  it('a model packed without conditions still opens (nothing to check), and a bad decision is refused', async () => {
    const ds = blobs(300, 2, 3, 4);
    const fit = await fitDataset(ds, { ...FIT_DEFAULTS, trees: 4, workers: 1 });
    const bare = packModel({ ...fit.model, conditions: undefined, decision: undefined }).bytes;
    assert.equal(readModelBin(bare).conditions, undefined);
    assert.equal(openModel(bare.buffer.slice(0) as ArrayBuffer).featureSet, '');
    const bad = packModel({ ...fit.model, decision: { normalClass: 7, minAnomalyVotes: 10 } }).bytes;
    assert.throws(() => readModelBin(bad), /decision names class 7/);
    assert.throws(() => openModel(bad.buffer.slice(0) as ArrayBuffer), /bad decision threshold/);
  });
});
