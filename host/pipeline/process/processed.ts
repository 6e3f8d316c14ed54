/**
 * Processed CSVs: the prototype's Modbus columns (`Raw data_Current, Current_Issue, Raw data_Voltage,
 * Voltage_Issue, Active_Power, Frequency`, plus Frequency_Issue and meter/ts when known) and the waveform
 * feature tables `process` writes. Both load back as a Dataset: features are the numeric columns that are
 * not labels, flags or keys.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Dataset } from '../dataset.ts';
import { classOrder } from '../synth/classes.ts';
import type { ProcessedRow } from './modbus.ts';
import { GrowingF32, SkipCollector, openCsv, parseNumber, type SkipReport } from './rows.ts';

/** Per-row sampling conditions, written by synth and by process for waveform data; never features. */
export const CONDITION_COLUMNS = ['Sampling_Rate', 'Mains_Frequency', 'Nominal_Voltage', 'SNR_dB'] as const;

export const PROCESSED_COLUMNS = ['Raw data_Current', 'Current_Issue', 'Raw data_Voltage', 'Voltage_Issue', 'Active_Power', 'Frequency'] as const;

/** Streams records (header first) to a CSV file. */
export async function writeCsv(path: string, records: Iterable<unknown[]>): Promise<void> {
  await pipeline(Readable.from(records, { objectMode: true }), stringify(), createWriteStream(path));
}

/** Writes Modbus rows in the prototype's processed layout; returns the row count. */
export async function writeProcessedCsv(path: string, rows: ProcessedRow[]): Promise<number> {
  const hasMeter = rows.some((r) => r.meter !== undefined);
  const hasTs = rows.some((r) => r.ts !== undefined);
  function* records(): Generator<unknown[]> {
    yield [...PROCESSED_COLUMNS, 'Frequency_Issue', ...(hasMeter ? ['meter'] : []), ...(hasTs ? ['ts'] : [])];
    for (const r of rows) {
      yield [
        r.current, r.currentIssue, r.voltage, r.voltageIssue, r.activePower, r.frequency, r.frequencyIssue,
        ...(hasMeter ? [r.meter ?? ''] : []),
        ...(hasTs ? [r.ts ?? ''] : []),
      ];
    }
  }
  await writeCsv(path, records());
  return rows.length;
}

/** Columns that are never features: labels, keys and flags (flags are derived from features). */
function isNonFeature(name: string): boolean {
  const n = name.toLowerCase();
  return ['target', 'class', 'window', 'time', 'ts', 'meter', ...CONDITION_COLUMNS.map((c) => c.toLowerCase())].includes(n) || n.endsWith('_issue');
}

export interface ProcessedLoadOptions {
  strict?: boolean;
  onProgress?: (rows: number) => void;
}

export async function loadProcessedDataset(
  csvPath: string,
  opts: ProcessedLoadOptions = {},
): Promise<{ dataset: Dataset; skipped: SkipReport; notes: string[] }> {
  const { header, records } = await openCsv(csvPath);
  const lower = header.map((h) => h.toLowerCase());
  const cTarget = lower.indexOf('target');
  const cClass = lower.indexOf('class');
  const cWindow = lower.indexOf('window');
  const cCond = CONDITION_COLUMNS.map((c) => lower.indexOf(c.toLowerCase()));
  const hasConditions = cCond[0]! >= 0 && cCond[1]! >= 0;
  const cond: number[][] = [[], [], [], []];
  const issueCols = lower.flatMap((h, i) => (h.endsWith('_issue') ? [i] : []));
  const candidates = header.flatMap((h, i) => (isNonFeature(h) ? [] : [i]));
  const skips = new SkipCollector(opts.strict ?? false);
  const notes: string[] = [];
  if (cTarget < 0 && issueCols.length === 0 && cClass < 0) notes.push('no target, *_Issue or class column: all rows labelled 0');

  let featureCols: number[] | undefined;
  let X: GrowingF32 | undefined;
  const targets: number[] = [];
  const classNames: string[] = [];
  const groups: number[] = [];
  let index = -1;
  for await (const { fields, row, error } of records) {
    index++;
    if (error) {
      skips.skip(csvPath, row, error);
      continue;
    }
    if (opts.onProgress && index % 1024 === 0) opts.onProgress(index);
    if (!featureCols) {
      // Features are the candidate columns that are numeric in the first row.
      featureCols = candidates.filter((c) => !Number.isNaN(parseNumber(fields[c])));
      const ignored = candidates.filter((c) => !featureCols!.includes(c)).map((c) => header[c]);
      if (ignored.length) notes.push(`non-numeric columns ignored: ${ignored.join(', ')}`);
      if (featureCols.length === 0) throw new Error(`${csvPath}: no numeric feature columns (have: ${header.join(', ')})`);
      X = new GrowingF32(featureCols.length * 1024);
    }
    const F = featureCols.length;
    X!.reserve(F);
    const base = X!.length;
    let bad = '';
    for (let j = 0; j < F; j++) {
      const c = featureCols[j];
      const v = parseNumber(fields[c]);
      if (Number.isNaN(v)) {
        bad = fields[c] === undefined ? `missing column ${header[c]}` : `${header[c]} "${fields[c]}" is not a number`;
        break;
      }
      X!.data[base + j] = v;
    }
    let target = 0;
    if (!bad && cTarget >= 0) {
      const t = parseNumber(fields[cTarget]);
      if (t !== 0 && t !== 1) bad = `target "${fields[cTarget] ?? ''}" is not 0 or 1`;
      target = t;
    } else if (!bad && issueCols.length) {
      for (const c of issueCols) {
        const t = parseNumber(fields[c]);
        if (t !== 0 && t !== 1) {
          bad = `${header[c]} "${fields[c] ?? ''}" is not 0 or 1`;
          break;
        }
        if (t === 1) target = 1;
      }
    }
    const cls = cClass >= 0 ? fields[cClass] ?? '' : '';
    if (!bad && cClass >= 0 && cls === '') bad = 'missing class';
    if (!bad && cTarget < 0 && issueCols.length === 0 && cClass >= 0) target = cls === 'normal' ? 0 : 1;
    let group = index;
    if (!bad && cWindow >= 0) {
      group = parseNumber(fields[cWindow]);
      if (!Number.isInteger(group)) bad = `window "${fields[cWindow] ?? ''}" is not an integer`;
    }
    if (bad) {
      skips.skip(csvPath, row, bad);
      continue;
    }
    if (hasConditions) cCond.forEach((c, k) => cond[k]!.push(c >= 0 ? parseNumber(fields[c]) : NaN));
    X!.length += F;
    targets.push(target);
    classNames.push(cls);
    groups.push(group);
  }
  const n = targets.length;
  if (n === 0 || !featureCols) throw new Error(`${csvPath}: no usable rows (${skips.report.count} malformed rows skipped)`);
  const classes = cClass >= 0 ? classOrder(classNames) : [];
  const classIdx = new Uint16Array(n);
  if (classes.length) {
    const map = new Map(classes.map((c, i) => [c, i]));
    for (let i = 0; i < n; i++) classIdx[i] = map.get(classNames[i]) ?? 0;
  }
  const dataset: Dataset = {
    featureNames: featureCols.map((c) => header[c]),
    X: X!.trimmed(),
    nRows: n,
    nFeatures: featureCols.length,
    target: Uint8Array.from(targets),
    classes,
    classIdx,
    group: Int32Array.from(groups),
    ...(hasConditions ? { conditions: { samplingRate: Float32Array.from(cond[0]!), mainsHz: Uint8Array.from(cond[1]!), nominalV: Float32Array.from(cond[2]!), snrDb: Float32Array.from(cond[3]!) } } : {}),
  };
  return { dataset, skipped: skips.report, notes };
}
