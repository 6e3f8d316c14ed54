import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

/** Poll a condition (not a fixed sleep): resolves as soon as it holds, fails with `what` after timeoutMs. */
export async function until(cond: () => boolean, what: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Every row of every all-messages file in dir. */
export function allRows(dir: string): Array<Record<string, string>> {
  const rows: Array<Record<string, string>> = [];
  for (const f of readdirSync(dir).filter((n) => n.startsWith('mqtt_all_messages_')).sort()) {
    rows.push(...(parse(readFileSync(join(dir, f)), { columns: true }) as Array<Record<string, string>>));
  }
  return rows;
}

export const REGISTERS = [1006, 1007, 1009, 1010];

/** Reading number i: unique (meter, register, ts) for each i. */
export function reading(i: number): { topic: string; payload: string; key: string } {
  const meter = `m${i % 3}`;
  const register = REGISTERS[i % 4]!;
  const ts = 1_767_225_600_000 + i;
  return { topic: `esp/${meter}/modbus`, payload: JSON.stringify({ register, raw: 1000 + i, ts }), key: `${meter}|${register}|${ts}` };
}
