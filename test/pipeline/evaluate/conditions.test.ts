import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSynthCsv } from '../../../host/pipeline/synth/index.ts';
import { loadWaveformDataset } from '../../../host/pipeline/process/index.ts';
import { fitDataset, FIT_DEFAULTS } from '../../../host/pipeline/fit/index.ts';
import { saveModelJson } from '../../../host/forest/io.ts';
import { packModel } from '../../../host/model/pack.ts';
import { guardConditions, OutsideConditionsError } from '../../../host/pipeline/evaluate/guard.ts';
import { WAVEFORM_FEATURE_SET } from '../../../host/pipeline/process/features.ts';

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/jerrywatt.js', ...args], { encoding: 'utf8' });

describe('a model knows where it is valid: evaluate and process refuse data outside it (--force overrides)', function () {
  this.timeout(120_000);
  let dir: string;
  let modelJson: string;
  let modelBin: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jw-cond-'));
    // A model of one condition: 50 Hz, 6400 Hz, 30-50 dB, without notches.
    const train = join(dir, 'train.csv');
    await writeSynthCsv(train, { windows: 500, seed: 3, mainsHz: 50, samplingRate: 6400, snrDb: [30, 50], classes: ['normal', 'sag', 'swell', 'harmonics'] });
    const { dataset } = await loadWaveformDataset(train);
    const fit = await fitDataset(dataset, { ...FIT_DEFAULTS, trees: 8, workers: 1 });
    assert.deepEqual(fit.model.conditions, { featureSet: WAVEFORM_FEATURE_SET, samplingRates: [6400], mainsFrequencies: [50], nominalVoltages: [230], snrDb: [30, 50] });
    modelJson = join(dir, 'model.json');
    await saveModelJson(modelJson, fit.model);
    modelBin = join(dir, 'model.bin');
    writeFileSync(modelBin, packModel(fit.model).bytes);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses 60 Hz data, and data at a rate the model never saw, naming why; --force scores it with a warning', async () => {
    const data = join(dir, 'us.csv');
    await writeSynthCsv(data, { windows: 60, seed: 4, mainsHz: 60, samplingRate: 1000, snrDb: [30, 50], classes: ['normal', 'sag'] });
    for (const model of [modelJson, modelBin]) {
      const r = cli('evaluate', '--model', model, '--data', data);
      assert.notEqual(r.status, 0, r.stdout);
      assert.match(r.stderr, /outside the conditions the model was trained for/);
      assert.match(r.stderr, /1000 Hz sampling \(model: 6400 Hz\)/);
      assert.match(r.stderr, /--force/);
      const f = cli('evaluate', '--model', model, '--data', data, '--force', '--json');
      assert.equal(f.status, 0, f.stderr);
      assert.match(f.stderr, /warning: outside the model's conditions \(forced\)/);
      assert.ok(JSON.parse(f.stdout).rows > 0);
    }
  });

  it('refuses data given a wrong --sampling-rate (3200 Hz windows read as 6400 Hz): the features say so', async () => {
    const data = join(dir, 'rate.csv');
    await writeSynthCsv(data, { windows: 40, seed: 5, mainsHz: 50, samplingRate: 3200, snrDb: [30, 50], classes: ['normal'] });
    // Strip the per-row conditions and the sidecar, as a file from another generator would come.
    const lines = readFileSync(data, 'utf8').trim().split('\n').map((l) => l.split(',').slice(0, -4).join(','));
    const bare = join(dir, 'bare.csv');
    writeFileSync(bare, lines.join('\n') + '\n');
    const r = cli('evaluate', '--model', modelJson, '--data', bare, '--sampling-rate', '6400');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /off the nominal mains frequency.*: the sampling rate or mains frequency given for the data is wrong/);
    const ok = cli('evaluate', '--model', modelJson, '--data', bare, '--sampling-rate', '3200', '--force');
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(!/off the nominal mains frequency/.test(ok.stderr), ok.stderr);
  });

  it('refuses low-SNR data by its measured noise, and a model of another feature version', async () => {
    const data = join(dir, 'noisy.csv');
    await writeSynthCsv(data, { windows: 40, seed: 6, mainsHz: 50, samplingRate: 6400, snrDb: [12, 15], classes: ['normal', 'sag'] });
    const { dataset } = await loadWaveformDataset(data);
    const model = { featureSet: WAVEFORM_FEATURE_SET, samplingRates: [6400], mainsFrequencies: [50], nominalVoltages: [230], snrDb: [30, 50] as [number, number] };
    assert.throws(() => guardConditions(model, dataset, WAVEFORM_FEATURE_SET, false), (e: unknown) => e instanceof OutsideConditionsError && /median SNR is 1\d\.\d dB, below the model's 30-50 dB/.test(e.message));
    // Without per-row SNR the noise feature stands in.
    const noSnr = { ...dataset, conditions: { ...dataset.conditions!, snrDb: new Float32Array(dataset.nRows).fill(NaN) } };
    assert.throws(() => guardConditions(model, noSnr, WAVEFORM_FEATURE_SET, false), /median SNR is 1\d\.\d dB/);
    assert.throws(() => guardConditions({ ...model, featureSet: 'waveform-1' }, dataset, WAVEFORM_FEATURE_SET, false), /features are waveform-2, the model was trained on waveform-1/);
    assert.ok(guardConditions(model, dataset, WAVEFORM_FEATURE_SET, true).some((w) => /forced/.test(w)));
  });

  it('process --model refuses before writing anything; evaluate reports the rows it dropped (a class the model never learned)', async () => {
    const data = join(dir, 'mixed.csv');
    await writeSynthCsv(data, { windows: 80, seed: 7, mainsHz: 50, samplingRate: 6400, snrDb: [30, 50], classes: ['normal', 'sag', 'flicker'] });
    const out = join(dir, 'p.csv');
    const us = join(dir, 'us.csv');
    const refused = cli('process', us, '--model', modelJson, '-o', out);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /outside the conditions/);
    assert.throws(() => readFileSync(out));
    const r = cli('evaluate', '--model', modelJson, '--data', data, '--json');
    assert.equal(r.status, 0, r.stderr);
    const e = JSON.parse(r.stdout);
    assert.ok(e.dropped.count > 0 && e.dropped.byReason['class "flicker" unknown to the model'] === e.dropped.count, JSON.stringify(e.dropped));
    assert.match(r.stderr, /left out of the scores: \d+ row\(s\): \d+ x class "flicker" unknown to the model/);
    assert.equal(e.rows + e.dropped.count, 80);
  });
});
