/**
 * The old prototype's raw CSV formats, plus `meter` and `ts` columns. Pure: rows and names, no I/O.
 *   mqtt_all_messages_<stamp>.csv           every reading
 *   mqtt_messages_<register>_<stamp>.csv    the readings of one register
 *   mqtt_register_counts_<stamp>.csv        readings per (meter, register) in that set of files
 * `Start register` and `Raw data` keep the names data_processing.py used; `Time` is when we received it.
 */
import type { Reading } from './reading.ts';
import { csvText } from '../text/sanitize.ts';

export const MESSAGE_COLUMNS = ['Time', 'Topic', 'Start register', 'Raw data', 'meter', 'ts'] as const;
export const COUNT_COLUMNS = ['meter', 'Start register', 'Count'] as const;

/** RFC 4180 quoting. Hand-written because it runs once per message on the hot path and the fields are few. */
function cell(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: ReadonlyArray<string | number>): string {
  return cells.map(cell).join(',') + '\n';
}

export function messageRow(r: Reading, topic: string, receivedAt: number): string {
  // Topic and meter are a peer's text (csvText: no control characters, no formula); raw and ts are the
  // parser's numbers as text and stay as they are (a negative reading is a number, not a formula).
  return csvLine([new Date(receivedAt).toISOString(), csvText(topic), r.register, r.raw, csvText(r.meter), r.ts]);
}

/** `20260101_000000` (UTC), as the prototype stamped its files. */
export function fileStamp(ms: number): string {
  const d = new Date(ms).toISOString(); // 2026-01-01T00:00:00.000Z
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}_${d.slice(11, 13)}${d.slice(14, 16)}${d.slice(17, 19)}`;
}

export const fileNames = {
  all: (stamp: string) => `mqtt_all_messages_${stamp}.csv`,
  register: (register: number, stamp: string) => `mqtt_messages_${register}_${stamp}.csv`,
  counts: (stamp: string) => `mqtt_register_counts_${stamp}.csv`,
};

export function countsCsv(counts: ReadonlyMap<string, ReadonlyMap<number, number>>): string {
  let out = csvLine(COUNT_COLUMNS);
  for (const meter of [...counts.keys()].sort()) {
    const regs = counts.get(meter)!;
    for (const reg of [...regs.keys()].sort((a, b) => a - b)) out += csvLine([csvText(meter), reg, regs.get(reg)!]);
  }
  return out;
}
