import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PQ_CLASSES, PQ_COMBINATIONS, synthesizeWindows, writeSynthCsv, type SynthWindow } from '../../../host/pipeline/synth/index.ts';
import { WAVEFORM_FEATURES, waveformFeatures } from '../../../host/pipeline/process/index.ts';

const col = (name: string): number => WAVEFORM_FEATURES.indexOf(name);

function featuresOf(cls: string, fs = 6400, n = 25): Float32Array[] {
  const out: Float32Array[] = [];
  for (const w of synthesizeWindows({ windows: n, seed: 11, classes: [cls], samplingRate: fs, snrDb: [40, 50] })) {
    out.push(waveformFeatures(w.voltage, fs, 50, 230));
  }
  return out;
}
const range = (rows: Float32Array[], name: string): [number, number] => {
  const v = rows.map((r) => r[col(name)]);
  return [Math.min(...v), Math.max(...v)];
};

describe('synth: generator', () => {
  it('is deterministic by seed, and a different seed gives different windows', () => {
    const a = [...synthesizeWindows({ windows: 20, seed: 5 })];
    const b = [...synthesizeWindows({ windows: 20, seed: 5 })];
    const c = [...synthesizeWindows({ windows: 20, seed: 6 })];
    assert.deepEqual(a.map((w) => [w.cls, w.current, Array.from(w.voltage)]), b.map((w) => [w.cls, w.current, Array.from(w.voltage)]));
    assert.notDeepEqual(a.map((w) => Array.from(w.voltage)), c.map((w) => Array.from(w.voltage)));
  });

  it('makes 10-cycle windows at 50 Hz and 12-cycle windows at 60 Hz', () => {
    const [w50] = synthesizeWindows({ windows: 1, seed: 1 });
    const [w60] = synthesizeWindows({ windows: 1, seed: 1, mainsHz: 60, samplingRate: 1000 });
    assert.equal(w50.voltage.length, 1280);
    assert.equal(w60.voltage.length, 200);
  });

  it('honours the anomaly ratio and the class list, combinations included', () => {
    const ws = [...synthesizeWindows({ windows: 2000, seed: 2, anomalyRatio: 0.2 })];
    const share = ws.filter((w) => w.target === 1).length / ws.length;
    assert.ok(Math.abs(share - 0.2) < 0.03, `anomaly share ${share}`);
    assert.ok(ws.every((w) => (w.cls === 'normal') === (w.target === 0)));
    const combo = [...synthesizeWindows({ windows: 400, seed: 2, combinations: true })];
    const seen = new Set(combo.map((w) => w.cls));
    assert.ok(PQ_COMBINATIONS.some((c) => seen.has(c)) && PQ_CLASSES.some((c) => seen.has(c)));
    assert.throws(() => [...synthesizeWindows({ windows: 1, seed: 1, classes: ['brownout'] })], /unknown class/);
    assert.throws(() => [...synthesizeWindows({ windows: 1, seed: 1, samplingRate: 800 })], /at least 1000/);
  });

  it('keeps current and power consistent with the voltage through the load model', () => {
    for (const w of synthesizeWindows({ windows: 50, seed: 3 }) as Iterable<SynthWindow>) {
      const vrms = waveformFeatures(w.voltage, 6400, 50, 230)[col('rms_pu')] * 230;
      const pf = w.activePower / (vrms * w.current);
      assert.ok(pf > 0.78 && pf < 1.02, `pf ${pf} (${w.cls})`);
    }
  });

  describe('each class shows in the feature that should see it (SNR 40-50 dB)', () => {
    const normal = featuresOf('normal');
    const [nMin] = range(normal, 'urms_min_pu');
    const [, nMax] = range(normal, 'urms_max_pu');
    it('normal: Urms(1/2) within a few % of 1 pu, THD_F under 1 %, within 0.3 % of 50 Hz', () => {
      assert.ok(nMin > 0.95 && nMax < 1.05);
      assert.ok(range(normal, 'thd_f_pct')[1] < 1);
      const [fLo, fHi] = range(normal, 'freq_dev_pct');
      assert.ok(fLo > -0.3 && fHi < 0.3);
    });
    it('sag lowers the half-cycle RMS minimum', () => assert.ok(range(featuresOf('sag'), 'urms_min_pu')[1] < 0.95));
    it('swell raises the half-cycle RMS maximum', () => assert.ok(range(featuresOf('swell'), 'urms_max_pu')[0] > 1.05));
    it('interruption takes the minimum below 0.15 pu', () => assert.ok(range(featuresOf('interruption'), 'urms_min_pu')[1] < 0.15));
    it('harmonics raise THD_F above 8 % and the 3rd above 4.5 %', () => {
      const h = featuresOf('harmonics');
      assert.ok(range(h, 'thd_f_pct')[0] > 8 && range(h, 'h3_pct')[0] > 4.5);
    });
    it('flicker shows a 5-25 Hz envelope modulation of 4-11 %', () => {
      const [lo, hi] = range(featuresOf('flicker'), 'flicker_depth_pct');
      assert.ok(lo > 4 && hi < 11 && range(normal, 'flicker_depth_pct')[1] < 1, `${lo}..${hi}`);
    });
    it('oscillatory transients raise the non-harmonic content', () =>
      assert.ok(range(featuresOf('oscillatory_transient'), 'nonharmonic_pct')[0] > range(normal, 'nonharmonic_pct')[1]));
    it('impulsive transients (1-4 pu) raise the transient peak and the deviation from the steady waveform', () => {
      const f = featuresOf('impulsive_transient');
      assert.ok(range(f, 'transient_z')[0] > range(normal, 'transient_z')[1]);
      assert.ok(range(f, 'peak_dev_pu')[0] > 0.5, `peak_dev ${range(f, 'peak_dev_pu')}`);
    });
    it('notches raise THD_F and the transient peak', () => {
      const f = featuresOf('notch');
      assert.ok(range(f, 'thd_f_pct')[0] > range(normal, 'thd_f_pct')[1]);
      assert.ok(range(f, 'transient_z')[0] > range(normal, 'transient_z')[1]);
    });
    it('frequency deviation leaves the +-1 % band', () => {
      for (const r of featuresOf('frequency_deviation')) assert.ok(Math.abs(r[col('freq_dev_pct')]) > 1);
    });
  });

  it('adds noise within the SNR range', () => {
    // A normal window at 20 dB: the non-harmonic RMS is about 10 % of the fundamental.
    const [w] = synthesizeWindows({ windows: 1, seed: 4, classes: ['normal'], snrDb: [20, 20] });
    const f = waveformFeatures(w.voltage, 6400, 50, 230);
    assert.ok(f[col('nonharmonic_pct')] > 8 && f[col('nonharmonic_pct')] < 12, `non-harmonic ${f[col('nonharmonic_pct')]} %`);
    assert.ok(f[col('noise_pct')] > 8 && f[col('noise_pct')] < 12, `noise ${f[col('noise_pct')]} %`);
  });
});

describe('synth: CSV and sidecar', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'jw-synth-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the prototype columns plus class, and a sidecar with the generator settings', async () => {
    const path = join(dir, 's.csv');
    const progress: number[] = [];
    const r = await writeSynthCsv(path, { windows: 70, seed: 9, samplingRate: 1000 }, (d) => progress.push(d));
    assert.equal(r.rows, 70);
    assert.equal(progress.at(-1), 70);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'Time,Voltage_L1,Current_L1,Active_Power_L1,THD_Voltage_L1,Frequency,target,class,Sampling_Rate,Mains_Frequency,Nominal_Voltage,SNR_dB');
    assert.equal(lines.length, 71);
    const side = JSON.parse(readFileSync(r.sidecarPath, 'utf8'));
    assert.equal(side.samplingRate, 1000);
    assert.equal(side.mainsHz, 50);
    assert.equal(side.seed, 9);
    assert.equal(side.samplesPerWindow, 200);
    assert.equal(side.harmonicOrders, 9);
    assert.ok(r.notes.some((n) => /harmonics 2\.\.9/.test(n)), 'the 1000 Hz cap is said');
    // Same seed, same bytes.
    const again = join(dir, 's2.csv');
    await writeSynthCsv(again, { windows: 70, seed: 9, samplingRate: 1000 });
    assert.equal(readFileSync(again, 'utf8'), readFileSync(path, 'utf8'));
  });
});
