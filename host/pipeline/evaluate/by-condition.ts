/**
 * Alarm-grade figures per condition (sampling rate x mains frequency x SNR band): a false alarm lights the
 * alarm LED and sends an event, so the share of normal windows called anomalies is given for each condition,
 * beside binary F1 and macro-F1.
 */
import type { RowConditions } from '../dataset.ts';
import { confusionMatrix, perClassFigures } from './metrics.ts';

export interface ConditionFigures {
  samplingRate: number;
  mainsHz: number;
  /** SNR band label, e.g. "20-30". */
  snrBand: string;
  rows: number;
  normalRows: number;
  falseAlarms: number;
  /** falseAlarms / normalRows (NaN with no normal rows). */
  falseAlarmRate: number;
  /** Binary F1 of the anomaly class. */
  f1: number;
  /** Mean F1 over the classes present in this condition. */
  macroF1: number;
}

/** SNR bands of the report: below and from 30 dB. */
export const SNR_BANDS: [number, number][] = [[-Infinity, 30], [30, Infinity]];

export function bandLabel(b: [number, number], range?: [number, number]): string {
  const lo = b[0] === -Infinity ? (range ? range[0] : '') : b[0];
  const hi = b[1] === Infinity ? (range ? range[1] : '') : b[1];
  return `${lo}-${hi}`;
}

export interface ByConditionInput {
  conditions: RowConditions;
  /** Binary truth and prediction per row (1 = anomaly). */
  truth: ArrayLike<number>;
  pred: ArrayLike<number>;
  /** Class truth and prediction per row (indices into classes), for macro-F1. */
  truthClass?: ArrayLike<number>;
  predClass?: ArrayLike<number>;
  classes?: string[];
  snrRange?: [number, number];
}

export function figuresByCondition(inp: ByConditionInput): ConditionFigures[] {
  const c = inp.conditions;
  const groups = new Map<string, number[]>();
  for (let i = 0; i < inp.truth.length; i++) {
    const snr = c.snrDb[i]!;
    const b = snr === snr ? SNR_BANDS.findIndex(([lo, hi]) => snr >= lo && snr < hi) : -1;
    const key = `${c.samplingRate[i]}|${c.mainsHz[i]}|${b}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  }
  const out: ConditionFigures[] = [];
  for (const [key, rows] of groups) {
    const [fs, mains, b] = key.split('|').map(Number) as [number, number, number];
    let normal = 0, fa = 0, tp = 0, fp = 0, fn = 0;
    for (const i of rows) {
      const t = inp.truth[i]!, p = inp.pred[i]!;
      if (!t) normal++;
      if (!t && p) fa++;
      if (t && p) tp++;
      if (!t && p) fp++;
      if (t && !p) fn++;
    }
    const f1 = tp ? (2 * tp) / (2 * tp + fp + fn) : 0;
    let macroF1 = f1;
    if (inp.truthClass && inp.predClass && inp.classes) {
      const k = inp.classes.length;
      const conf = confusionMatrix(rows.map((i) => inp.truthClass![i]!), rows.map((i) => inp.predClass![i]!), k);
      const present = perClassFigures(conf, inp.classes).filter((f) => f.support > 0);
      macroF1 = present.reduce((a, f) => a + f.f1, 0) / Math.max(1, present.length);
    }
    out.push({ samplingRate: fs, mainsHz: mains, snrBand: b < 0 ? 'unknown' : bandLabel(SNR_BANDS[b]!, inp.snrRange), rows: rows.length, normalRows: normal, falseAlarms: fa, falseAlarmRate: normal ? fa / normal : NaN, f1, macroF1 });
  }
  return out.sort((a, b) => a.mainsHz - b.mainsHz || a.samplingRate - b.samplingRate || a.snrBand.localeCompare(b.snrBand));
}

/** A markdown table of the figures. */
export function conditionTable(rows: ConditionFigures[]): string[] {
  const f = (v: number, d = 4): string => (Number.isNaN(v) ? 'n/a' : v.toFixed(d));
  return [
    '| mains | rate | SNR dB | windows | normal | false alarms | false-alarm rate | binary F1 | macro-F1 |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.mainsHz} Hz | ${r.samplingRate} Hz | ${r.snrBand} | ${r.rows} | ${r.normalRows} | ${r.falseAlarms} | ${f(100 * r.falseAlarmRate, 2)} % | ${f(r.f1)} | ${f(r.macroF1)} |`),
  ];
}
