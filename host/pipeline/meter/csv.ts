/**
 * Collected telemetry (`jerrywatt collect`'s mqtt_all_messages_<stamp>.csv, or any CSV with `Start register`,
 * `Raw data` and optionally `meter`, `ts`) -> readings in meter time order, numbers read with the device's own
 * number parser.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openCsv, readingColumns } from '../process/rows.ts';
import { parseNumberText } from '../../../device/meter/reading.ts';
import type { MeterDatasetBuilder } from './assemble.ts';
import { parseTimestampMs } from '../timestamp.ts';

interface Row {
  meter: string;
  register: number;
  raw: number;
  ts: number;
  row: number;
  seq: number;
}

/** Files given, with directories expanded to their mqtt_all_messages_*.csv (the per-register files repeat them). */
export async function collectedFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p).catch(() => null);
    if (!s) throw new Error(`${p}: no such file or directory`);
    if (!s.isDirectory()) {
      out.push(p);
      continue;
    }
    const names = (await readdir(p)).filter((n) => /^mqtt_all_messages_.*\.csv$/.test(n)).sort();
    out.push(...names.map((n) => join(p, n)));
  }
  if (!out.length) throw new Error(`no mqtt_all_messages_*.csv in ${paths.join(', ')}`);
  return out;
}

/** True when some file has a `ts` column (jerrywatt collect's format); the prototype's files have none. */
export async function anyTsColumn(files: string[]): Promise<boolean> {
  for (const path of files) {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const first = buf.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
      if (first.split(',').some((h) => h.trim().replace(/^"|"$/g, '').toLowerCase() === 'ts')) return true;
    } finally {
      await fh.close();
    }
  }
  return false;
}

export async function addCollectedCsv(b: MeterDatasetBuilder, files: string[]): Promise<number> {
  const rows: Row[] = [];
  let seq = 0;
  for (const path of files) {
    const { header, records } = await openCsv(path);
    const { register: cReg, raw: cRaw, ts: cTs, time: cTime, meter: cMeter } = readingColumns(path, header);
    for await (const r of records) {
      if (r.error) {
        b.skip(r.row, r.error);
        continue;
      }
      const register = parseNumberText(r.fields[cReg] ?? '');
      const raw = parseNumberText(r.fields[cRaw] ?? '');
      if (!(register >= 0 && register === Math.floor(register))) {
        b.skip(r.row, `bad register "${r.fields[cReg] ?? ''}"`);
        continue;
      }
      if (raw !== raw) {
        b.skip(r.row, `bad raw "${r.fields[cRaw] ?? ''}"`);
        continue;
      }
      // ts in ms (never seconds: host/pipeline/timestamp.ts), or collect's receive `Time` where ts is empty.
      let ts = cTs >= 0 ? parseTimestampMs(r.fields[cTs]) : NaN;
      if (ts !== ts && cTs >= 0 && cTime >= 0) ts = parseTimestampMs(r.fields[cTime]);
      rows.push({ meter: cMeter >= 0 ? (r.fields[cMeter] ?? '') : '', register, raw, ts, row: r.row, seq: seq++ });
    }
  }
  // Arrival order across meters and rotated files is not meter time: sort each meter's readings by ts (stable).
  rows.sort((a, b) => (a.meter < b.meter ? -1 : a.meter > b.meter ? 1 : a.ts === b.ts || a.ts !== a.ts || b.ts !== b.ts ? a.seq - b.seq : a.ts - b.ts));
  for (const r of rows) b.add(r.meter, r.register, r.raw, r.ts, r.row);
  return rows.length;
}
