/** The feature table `process` writes for waveform input: one row per window, with EN 50160 flags. */
import type { Dataset } from '../dataset.ts';
import { WAVEFORM_FEATURES } from './features.ts';
import { frequencyIssue, thdIssue, voltageRangeIssue, type LimitOptions } from './limits.ts';
import { writeCsv } from './processed.ts';

export async function writeFeaturesCsv(path: string, ds: Dataset, times: string[], limits: LimitOptions): Promise<number> {
  const F = ds.nFeatures;
  const fi = (name: string): number => {
    const i = ds.featureNames.indexOf(name);
    if (i < 0) throw new Error(`feature ${name} missing`);
    return i;
  };
  const iMin = fi('urms_half_min_v'), iMax = fi('urms_half_max_v'), iF = fi('frequency_hz'), iThd = fi('thd_f_pct');
  const hasClass = ds.classes.length > 0;
  function* records(): Generator<unknown[]> {
    yield ['window', 'Time', ...WAVEFORM_FEATURES, 'Voltage_Issue', 'Frequency_Issue', 'THD_Issue', 'target', ...(hasClass ? ['class'] : [])];
    for (let r = 0; r < ds.nRows; r++) {
      const x = ds.X.subarray(r * F, (r + 1) * F);
      yield [
        ds.group[r],
        times[r] ?? '',
        ...Array.from(x, (v) => +v.toPrecision(7)),
        voltageRangeIssue(x[iMin], x[iMax], limits),
        frequencyIssue(x[iF], limits),
        thdIssue(x[iThd], limits),
        ds.target[r],
        ...(hasClass ? [ds.classes[ds.classIdx[r]]] : []),
      ];
    }
  }
  await writeCsv(path, records());
  return ds.nRows;
}
