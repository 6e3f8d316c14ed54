/** The feature table `process` writes for waveform input: one row per window, its conditions, EN 50160 flags. */
import type { Dataset } from '../dataset.ts';
import { WAVEFORM_FEATURES } from './features.ts';
import { frequencyIssue, thdIssue, voltageRangeIssue, type LimitOptions } from './limits.ts';
import { CONDITION_COLUMNS, writeCsv } from './processed.ts';

/**
 * `limitsFor(mains, nominal)` gives the limits of a row's conditions (features are per unit and relative to
 * the nominal mains frequency; flags are judged in volts and hertz).
 */
export async function writeFeaturesCsv(path: string, ds: Dataset, times: string[], limitsFor: (mainsHz: number, nominalV: number) => LimitOptions): Promise<number> {
  const F = ds.nFeatures;
  const fi = (name: string): number => {
    const i = ds.featureNames.indexOf(name);
    if (i < 0) throw new Error(`feature ${name} missing`);
    return i;
  };
  const iMin = fi('urms_min_pu'), iMax = fi('urms_max_pu'), iF = fi('freq_dev_pct'), iThd = fi('thd_f_pct');
  const hasClass = ds.classes.length > 0;
  const c = ds.conditions;
  function* records(): Generator<unknown[]> {
    yield ['window', 'Time', ...WAVEFORM_FEATURES, ...(c ? CONDITION_COLUMNS : []), 'Voltage_Issue', 'Frequency_Issue', 'THD_Issue', 'target', ...(hasClass ? ['class'] : [])];
    for (let r = 0; r < ds.nRows; r++) {
      const x = ds.X.subarray(r * F, (r + 1) * F);
      const mains = c ? c.mainsHz[r]! : 50;
      const nominal = c ? c.nominalV[r]! : 230;
      const limits = limitsFor(mains, nominal);
      yield [
        ds.group[r],
        times[r] ?? '',
        ...Array.from(x, (v) => +v.toPrecision(7)),
        ...(c ? [c.samplingRate[r], mains, nominal, Number.isNaN(c.snrDb[r]!) ? '' : +c.snrDb[r]!.toFixed(2)] : []),
        voltageRangeIssue(x[iMin]! * nominal, x[iMax]! * nominal, limits),
        frequencyIssue(mains * (1 + x[iF]! / 100), limits),
        thdIssue(x[iThd]!, limits),
        ds.target[r],
        ...(hasClass ? [ds.classes[ds.classIdx[r]!]] : []),
      ];
    }
  }
  await writeCsv(path, records());
  return ds.nRows;
}
