/**
 * Streaming CSV reading shared by the loaders, and the bad-row policy: a malformed row is counted and
 * skipped with the first few row numbers kept, or, in strict mode, fails at once with file and row.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'csv-parse';

export interface SkipReport {
  count: number;
  first: Array<{ row: number; reason: string }>;
}

/** Thrown in strict mode (and for unreadable files): says which file and which row. */
export class MalformedRowError extends Error {
  constructor(
    readonly file: string,
    readonly row: number,
    readonly reason: string,
  ) {
    super(`${file}: row ${row}: ${reason}`);
  }
}

const KEEP_FIRST = 5;

export class SkipCollector {
  readonly report: SkipReport = { count: 0, first: [] };

  constructor(private readonly strict: boolean) {}

  /** Records a bad row; in strict mode throws instead. `file` is used in the message. */
  skip(file: string, row: number, reason: string, multiFile = false): void {
    if (this.strict) throw new MalformedRowError(file, row, reason);
    this.report.count++;
    if (this.report.first.length < KEEP_FIRST) {
      this.report.first.push({ row, reason: multiFile ? `${basename(file)}: ${reason}` : reason });
    }
  }
}

export interface CsvRecord {
  fields: string[];
  /** Set when the row is not even valid CSV (a stray quote): the caller counts it as malformed. */
  error?: string;
  /** Line number in the file (the header is line 1), the row number we report. */
  row: number;
}

/** Reads the header, then yields the records lazily (csv-parse streaming; files of any size). */
export async function openCsv(path: string): Promise<{ header: string[]; records: AsyncGenerator<CsvRecord> }> {
  try {
    await access(path);
  } catch {
    throw new Error(`${path}: cannot read the file`);
  }
  // Rows that are not valid CSV (a stray quote) are skipped by the parser and reported to us here, so
  // they count as malformed rows instead of aborting the whole file.
  const broken: Array<{ row: number; reason: string }> = [];
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      trim: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        const lines = typeof err?.lines === 'number' ? err.lines : 0;
        broken.push({ row: lines, reason: `not valid CSV (${(err?.message ?? 'parse error').split(':')[0]})` });
        return undefined;
      },
    }),
  );
  const it = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: { lines: number } }>;
  const first = await it.next();
  if (first.done) throw new Error(`${path}: empty file (no header)`);
  const header = first.value.record.map((h) => h.trim());
  // The parser runs ahead of us, so its skip reports arrive early: release each one just before the first
  // record that follows it, one per row (a bad quote can raise two errors on one line).
  async function* records(): AsyncGenerator<CsvRecord> {
    let lastBroken = -1;
    function* flush(before: number): Generator<CsvRecord> {
      while (broken.length && broken[0].row < before) {
        const b = broken.shift()!;
        if (b.row === lastBroken) continue;
        lastBroken = b.row;
        yield { fields: [], row: b.row, error: b.reason };
      }
    }
    for (;;) {
      const r = await it.next();
      if (r.done) {
        yield* flush(Infinity);
        return;
      }
      yield* flush(r.value.info.lines);
      yield { fields: r.value.record, row: r.value.info.lines };
    }
  }
  return { header, records: records() };
}

/** Column index by name, case- and space-insensitive; -1 when absent. */
export function columnIndex(header: string[], ...names: string[]): number {
  const norm = (s: string): string => s.toLowerCase().replace(/[\s_]+/g, '');
  const want = names.map(norm);
  return header.findIndex((h) => want.includes(norm(h)));
}

/** Column indices of a raw Modbus CSV (the prototype's, or `jerrywatt collect`'s with ts/meter/Time); -1 if absent. */
export interface ReadingColumns {
  register: number;
  raw: number;
  ts: number;
  /** collect's receive time: stands in for an empty ts. */
  time: number;
  meter: number;
}

/** Finds the columns of a raw Modbus CSV; throws, naming the file, when register or raw is missing. */
export function readingColumns(path: string, header: string[]): ReadingColumns {
  const register = columnIndex(header, 'Start register', 'register');
  const raw = columnIndex(header, 'Raw data', 'raw');
  if (register < 0 || raw < 0) throw new Error(`${path}: needs "Start register" and "Raw data" columns (have: ${header.join(', ')})`);
  return { register, raw, ts: columnIndex(header, 'ts'), time: columnIndex(header, 'Time'), meter: columnIndex(header, 'meter') };
}

/** A finite number, or NaN for empty / non-numeric / NaN / infinite text. */
export function parseNumber(text: string | undefined): number {
  if (text === undefined) return NaN;
  const t = text.trim();
  if (t === '') return NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
}

/** A Float32Array that doubles as rows are appended. */
export class GrowingF32 {
  data: Float32Array;
  length = 0;
  constructor(initial = 1024) {
    this.data = new Float32Array(initial);
  }
  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    let n = this.data.length * 2;
    while (n < this.length + extra) n *= 2;
    const d = new Float32Array(n);
    d.set(this.data.subarray(0, this.length));
    this.data = d;
  }
  trimmed(): Float32Array {
    return this.data.slice(0, this.length);
  }
}
