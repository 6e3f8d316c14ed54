import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSynthCsv, formatWaveform } from '../../../host/pipeline/synth/index.ts';
import {
  MalformedRowError,
  WAVEFORM_FEATURES,
  loadProcessedDataset,
  loadWaveformDataset,
  resolveLimits,
  writeFeaturesCsv,
} from '../../../host/pipeline/process/index.ts';

describe('process: waveform CSVs', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'jw-wave-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a synth CSV with its sidecar: one row per window, classes and targets kept, groups = window index', async () => {
    const path = join(dir, 'synth.csv');
    await writeSynthCsv(path, { windows: 40, seed: 3, mainsHz: 60, samplingRate: 1000 });
    const { dataset, skipped, info } = await loadWaveformDataset(path, {});
    assert.equal(skipped.count, 0);
    assert.deepEqual(info.samplingRates, [1000]);
    assert.deepEqual(info.mainsFrequencies, [60]);
    assert.deepEqual(info.nominalVoltages, [120]);
    assert.deepEqual(Array.from(new Set(dataset.conditions!.samplingRate)), [1000]);
    assert.equal(info.harmonicOrders, 8);
    assert.ok(info.notes.some((n) => /harmonics 2\.\.8/.test(n)));
    assert.equal(dataset.nRows, 40);
    assert.deepEqual(dataset.featureNames, [...WAVEFORM_FEATURES]);
    assert.deepEqual(Array.from(dataset.group), [...Array(40).keys()]);
    assert.equal(dataset.classes[0], 'normal');
    for (let r = 0; r < dataset.nRows; r++) assert.equal(dataset.target[r], dataset.classes[dataset.classIdx[r]] === 'normal' ? 0 : 1);
    // Frequency within 0.5 % of 60 Hz for every normal window.
    const fi = WAVEFORM_FEATURES.indexOf('freq_dev_pct');
    for (let r = 0; r < dataset.nRows; r++) {
      if (dataset.classes[dataset.classIdx[r]] === 'normal') assert.ok(Math.abs(dataset.X[r * dataset.nFeatures + fi]) < 0.5);
    }
  });

  it('without a sidecar needs --sampling-rate', async () => {
    const path = join(dir, 'nosidecar.csv');
    writeFileSync(path, 'Time,Voltage_L1,target\n2024-01-01 00:00:00,"[1,2,3]",0\n');
    await assert.rejects(loadWaveformDataset(path, {}), /--sampling-rate/);
  });

  it('skips malformed rows (empty, wrong length, NaN, non-numeric, bad target) and reports the first rows; strict fails', async () => {
    const sine = (amp: number): Float32Array => Float32Array.from({ length: 200 }, (_, i) => amp * Math.sin((2 * Math.PI * 50 * i) / 1000));
    const good = formatWaveform(sine(325));
    const path = join(dir, 'bad.csv');
    writeFileSync(path, [
      'Time,Voltage_L1,Current_L1,Active_Power_L1,THD_Voltage_L1,Frequency,target',
      `t0,"${good}",1,1,0,50,0`,
      't1,"",1,1,0,50,0',
      `t2,"[1,2,3]",1,1,0,50,1`,
      `t3,"${good.replace(/^\[[^,]+/, '[NaN')}",1,1,0,50,1`,
      `t4,"${good.replace(/^\[[^,]+/, '["x"')}",1,1,0,50,1`,
      `t5,"${good}",1,1,0,50,7`,
      `t6,"${formatWaveform(sine(200))}",1,1,0,50,1`,
    ].join('\n'));
    const { dataset, skipped } = await loadWaveformDataset(path, { samplingRate: 1000, mainsHz: 50 });
    assert.equal(dataset.nRows, 2);
    assert.deepEqual(Array.from(dataset.group), [0, 6]);
    assert.deepEqual(Array.from(dataset.target), [0, 1]);
    assert.equal(skipped.count, 5);
    assert.deepEqual(skipped.first.map((s) => s.row), [3, 4, 5, 6, 7]);
    assert.match(skipped.first[1].reason, /200/);
    assert.match(skipped.first[2].reason, /NaN/);
    await assert.rejects(loadWaveformDataset(path, { samplingRate: 1000, strict: true }), (err: unknown) => {
      assert.ok(err instanceof MalformedRowError);
      assert.match(err.message, /bad\.csv: row 3: empty waveform/);
      return true;
    });
  });

  it('an empty result is an error, not an empty dataset', async () => {
    const path = join(dir, 'empty.csv');
    writeFileSync(path, 'Time,Voltage_L1,target\nt,"",0\n');
    await assert.rejects(loadWaveformDataset(path, { samplingRate: 1000 }), /no usable windows/);
  });

  it('writes a feature table with EN 50160 flags that loads back with the same features and labels', async () => {
    const path = join(dir, 'synth2.csv');
    await writeSynthCsv(path, { windows: 30, seed: 8, samplingRate: 1000 });
    const { dataset, times } = await loadWaveformDataset(path, {});
    const out = join(dir, 'features.csv');
    await writeFeaturesCsv(out, dataset, times, (mainsHz, nominalV) => resolveLimits({ mainsHz, nominalV }));
    const header = readFileSync(out, 'utf8').split('\n')[0];
    assert.match(header, /Voltage_Issue,Frequency_Issue,THD_Issue,target,class$/);
    const back = await loadProcessedDataset(out);
    assert.deepEqual(back.dataset.featureNames, [...WAVEFORM_FEATURES]);
    assert.deepEqual(Array.from(back.dataset.target), Array.from(dataset.target));
    assert.deepEqual(back.dataset.classes, dataset.classes);
    assert.deepEqual(Array.from(back.dataset.group), Array.from(dataset.group));
    for (let i = 0; i < dataset.X.length; i++) assert.ok(Math.abs(back.dataset.X[i] - dataset.X[i]) <= 1e-5 * Math.max(1, Math.abs(dataset.X[i])));
  });
});
