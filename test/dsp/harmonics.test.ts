import assert from 'node:assert/strict';
import { harmonicCap, harmonicRms, harmonicScratchLength } from '../../host/dsp/goertzel.ts';
import { estimateFrequency } from '../../host/dsp/frequency.ts';
import { waveformFeatures, WAVEFORM_FEATURES } from '../../host/pipeline/process/features.ts';

const col = (name: string): number => WAVEFORM_FEATURES.indexOf(name);

/** A sine at f with harmonics {order: relative amplitude}, `cycles` nominal cycles long. */
function signal(fs: number, mains: number, f: number, harmonics: Record<number, number>, amp = 325): Float32Array {
  const n = Math.round(((mains === 50 ? 10 : 12) * fs) / mains);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / fs;
    let v = Math.sin(2 * Math.PI * f * t + 0.4);
    for (const [h, a] of Object.entries(harmonics)) v += a * Math.sin(Number(h) * 2 * Math.PI * f * t + Number(h));
    x[i] = amp * v;
  }
  return x;
}

describe('dsp: harmonic bins and THD (IEC 61000-4-7, THD_F)', () => {
  for (const fs of [6400, 1000]) {
    for (const mains of [50, 60]) {
      it(`10 % 3rd + 5 % 5th gives THD_F 11.18 % at ${fs} Hz, ${mains} Hz mains`, () => {
        const f = waveformFeatures(signal(fs, mains, mains, { 3: 0.1, 5: 0.05 }), fs, mains, 230);
        assert.ok(Math.abs(f[col('thd_f_pct')] - Math.sqrt(0.1 ** 2 + 0.05 ** 2) * 100) < 0.005, `THD ${f[col('thd_f_pct')]}`);
        assert.ok(Math.abs(f[col('h3_pct')] - 10) < 0.005);
        assert.ok(Math.abs(f[col('h5_pct')] - 5) < 0.005);
        assert.ok(f[col('h7_pct')] < 0.005);
        assert.ok(Math.abs(f[col('freq_dev_pct')]) < 0.01);
        assert.ok(Math.abs(f[col('rms_pu')] * 230 - (325 / Math.SQRT2) * Math.sqrt(1 + 0.0125)) < 0.05);
      });
    }
  }

  it('counts harmonics up to the 40th at 6400 Hz (a 39th shows) but caps below Nyquist at 1000 Hz', () => {
    assert.equal(harmonicCap(6400, 50), 40);
    assert.equal(harmonicCap(1000, 50), 9); // 10 x 50 Hz = Nyquist: excluded
    assert.equal(harmonicCap(1000, 60), 8);
    const f = waveformFeatures(signal(6400, 50, 50, { 39: 0.04 }), 6400, 50, 230);
    assert.ok(Math.abs(f[col('thd_f_pct')] - 4) < 0.005);
  });

  it('bins equal a naive DFT at h * cycles over a 1280-sample window (no zero-padding)', () => {
    const x = signal(6400, 50, 50, { 2: 0.03, 7: 0.08, 11: 0.02 });
    const out = new Float64Array(harmonicScratchLength(12));
    harmonicRms(x, 0, 1280, 10, 12, out);
    for (let h = 1; h <= 12; h++) {
      let re = 0, im = 0;
      for (let n = 0; n < 1280; n++) {
        re += x[n] * Math.cos((2 * Math.PI * h * 10 * n) / 1280);
        im -= x[n] * Math.sin((2 * Math.PI * h * 10 * n) / 1280);
      }
      const want = (Math.SQRT2 * Math.hypot(re, im)) / 1280;
      assert.ok(Math.abs(out[h - 1] - want) < 1e-6 * 325, `h${h}: ${out[h - 1]} vs ${want}`);
    }
  });

  it('keeps THD right off nominal frequency by synchronising to whole measured cycles', () => {
    for (const f of [48.2, 51.3]) {
      const feats = waveformFeatures(signal(6400, 50, f, { 3: 0.1, 5: 0.05 }), 6400, 50, 230);
      assert.ok(Math.abs(50 * (1 + feats[col('freq_dev_pct')] / 100) - f) < 0.05, `f dev ${feats[col('freq_dev_pct')]} %`);
      assert.ok(Math.abs(feats[col('thd_f_pct')] - 11.18) < 0.1, `THD ${feats[col('thd_f_pct')]} at ${f} Hz`);
    }
  });

  it('estimates frequency within 0.05 Hz across 47-53 Hz, and falls back to nominal on silence', () => {
    for (let f = 47; f <= 53; f += 0.75) {
      const x = signal(6400, 50, f, {});
      assert.ok(Math.abs(estimateFrequency(x, x.length, 6400, 50) - f) < 0.05, `at ${f}`);
    }
    assert.equal(estimateFrequency(new Float32Array(1280), 1280, 6400, 50), 50);
  });

  it('writes into `out` without allocating a new array, and returns finite values for silence', () => {
    const out = new Float32Array(WAVEFORM_FEATURES.length);
    const r = waveformFeatures(new Float32Array(1280), 6400, 50, 230, out);
    assert.equal(r, out);
    assert.ok(Array.from(out).every(Number.isFinite));
  });
});
