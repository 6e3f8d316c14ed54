/**
 * Reads a CSV for fit/evaluate/train through the process stage: a waveform CSV (a Voltage_L1 column) becomes
 * window features, anything else is read as a processed feature table.
 */
import { open } from 'node:fs/promises';
import type { Dataset } from '../dataset.ts';
import { loadProcessedDataset, loadWaveformDataset } from '../process/index.ts';
import type { SkipReport } from '../process/rows.ts';

export type DataKind = 'waveform' | 'processed';
/** What a CSV holds, by its header: raw Modbus telemetry is none of the training kinds. */
export type CsvKind = DataKind | 'modbus';

/** What a loader skipped: a count and the first few rows with why (the process stage's SkipReport). */
export type SkipSummary = SkipReport;

export interface LoadedData {
  dataset: Dataset;
  kind: DataKind;
  skipped: SkipSummary;
  notes: string[];
  /** Per row time stamp when the source has one (waveform CSVs). */
  times: string[];
}

export interface LoadOptions {
  samplingRate?: number;
  mainsHz?: number;
  nominalV?: number;
  strict?: boolean;
  onProgress?: (rows: number) => void;
}


export async function detectKind(path: string): Promise<CsvKind> {
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${path}: cannot read (${err.code ?? err.message})`);
  });
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const firstLine = buf.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0] ?? '';
    if (/(^|,)\s*"?(Voltage_L1|voltage)"?\s*(,|$)/.test(firstLine)) return 'waveform';
    // The prototype's and collect's raw telemetry: register numbers and raw words, not features.
    if (/(^|,)\s*"?(Start register|register)"?\s*(,|$)/i.test(firstLine) && /(^|,)\s*"?(Raw data|raw)"?\s*(,|$)/i.test(firstLine)) return 'modbus';
    return 'processed';
  } finally {
    await fh.close();
  }
}

export async function loadCsvDataset(path: string, opts: LoadOptions = {}): Promise<LoadedData> {
  const kind = await detectKind(path);
  if (kind === 'modbus') throw new Error(`${path} is raw Modbus telemetry (Start register, Raw data), not features: train the meter model on it (train --features meter --data ${path}), or turn it into rows with process`);
  if (kind === 'waveform') {
    const r = await loadWaveformDataset(path, opts);
    return { dataset: r.dataset, kind, skipped: r.skipped, notes: r.info?.notes ?? [], times: r.times ?? [] };
  }
  const r = await loadProcessedDataset(path, { strict: opts.strict, onProgress: opts.onProgress });
  return { dataset: r.dataset, kind, skipped: r.skipped, notes: r.notes ?? [], times: [] };
}

export function describeSkips(path: string, s: SkipSummary): string | undefined {
  if (!s.count) return undefined;
  return `${path}: skipped ${s.count} malformed row(s), first: ${s.first.map((f) => `row ${f.row} (${f.reason})`).join('; ')}`;
}
