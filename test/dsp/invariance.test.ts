import assert from 'node:assert/strict';
import { synthesizeWindows } from '../../host/pipeline/synth/index.ts';
import { WAVEFORM_FEATURES, waveformFeatures } from '../../host/pipeline/process/features.ts';

/** Median and 95th percentile of every feature over normal windows of one condition. */
function stats(fs: number, mains: 50 | 60, snr: [number, number], nominalV?: number): { med: number[]; p95: number[] } {
  const cols: number[][] = WAVEFORM_FEATURES.map(() => []);
  for (const w of synthesizeWindows({ windows: 120, seed: 21, classes: ['normal'], samplingRate: fs, mainsHz: mains, snrDb: snr, nominalV })) {
    waveformFeatures(w.voltage, fs, mains, w.nominalV).forEach((v, i) => cols[i]!.push(v));
  }
  const q = (a: number[], p: number): number => [...a].sort((x, y) => x - y)[Math.floor(p * (a.length - 1))]!;
  return { med: cols.map((a) => q(a, 0.5)), p95: cols.map((a) => q(a, 0.95)) };
}

// How far a normal window's feature may move between 1000 and 6400 Hz (same mains, SNR): in the feature's unit.
const TOLERANCE: Record<string, number> = {
  rms_pu: 0.01, thd_f_pct: 1, crest_factor: 0.03, freq_dev_pct: 0.05, urms_min_pu: 0.01, urms_max_pu: 0.01, urms_spread_pu: 0.01,
  urms_spread_z: 1, h3_pct: 0.5, h5_pct: 0.5, h7_pct: 0.5, flicker_depth_pct: 1, noise_pct: 0.6, nonharmonic_pct: 0.6, transient_z: 0.15, peak_dev_pu: 0.02,
};

describe('features mean the same at every rate, mains frequency and nominal voltage', function () {
  this.timeout(60_000);
  for (const mains of [50, 60] as const) {
    for (const snr of [[20, 25], [40, 50]] as [number, number][]) {
      it(`normal windows, ${mains} Hz mains, ${snr.join('-')} dB: 1000 Hz gives the values of 6400 Hz`, () => {
        const lo = stats(1000, mains, snr);
        const hi = stats(6400, mains, snr);
        WAVEFORM_FEATURES.forEach((name, i) => {
          const tol = TOLERANCE[name]!;
          assert.ok(Math.abs(lo.med[i]! - hi.med[i]!) <= tol, `${name}: median ${lo.med[i]} at 1000 Hz vs ${hi.med[i]} at 6400 Hz`);
          assert.ok(Math.abs(lo.p95[i]! - hi.p95[i]!) <= 2 * tol, `${name}: 95th percentile ${lo.p95[i]} at 1000 Hz vs ${hi.p95[i]} at 6400 Hz`);
        });
      });
    }
  }

  it('magnitudes are per unit: 120 V and 230 V supplies give the same features', () => {
    const a = stats(3200, 50, [30, 40], 230);
    const b = stats(3200, 50, [30, 40], 120);
    WAVEFORM_FEATURES.forEach((name, i) => assert.ok(Math.abs(a.med[i]! - b.med[i]!) <= TOLERANCE[name]!, `${name}: ${a.med[i]} vs ${b.med[i]}`));
  });
});
