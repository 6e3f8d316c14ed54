/**
 * After a restart of the collector itself, the broker redelivers what it had not seen acknowledged. Seed the
 * de-duplication keys from the newest all-messages file so such a redelivery is not written twice.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { RecentKeys } from './dedup.ts';

const ALL = /^mqtt_all_messages_\d{8}_\d{6}(_\d+)?\.csv$/;

export function newestAllMessagesFile(dir: string): string | null {
  let best: { path: string; mtime: number } | null = null;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  for (const name of names) {
    if (!ALL.test(name)) continue;
    const path = join(dir, name);
    const mtime = statSync(path).mtimeMs;
    if (!best || mtime > best.mtime || (mtime === best.mtime && path > best.path)) best = { path, mtime };
  }
  return best?.path ?? null;
}

/** Add the (meter, register, ts) keys of the newest file's last `keys.capacity` rows; returns how many. */
export function seedFromDir(dir: string, keys: RecentKeys): number {
  const file = newestAllMessagesFile(dir);
  return file ? seedFromCsv(readFileSync(file), keys) : 0;
}

/** The same, from the file's content (pure). */
export function seedFromCsv(content: string | Buffer, keys: RecentKeys): number {
  // A damaged row (a write cut short by a full disk) is skipped: it must not stop collect from starting.
  const rows = parse(content, { columns: true, skip_empty_lines: true, relax_column_count: true, skip_records_with_error: true }) as Array<Record<string, string>>;
  let n = 0;
  for (const row of rows.slice(-keys.capacity)) {
    const reg = Number(row['Start register']);
    if (!row.meter || !Number.isInteger(reg) || !row.ts) continue; // readings without ts cannot be de-duplicated
    keys.add(RecentKeys.key(row.meter, reg, row.ts));
    n++;
  }
  return n;
}
