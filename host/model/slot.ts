/** The model slot size, read from partitions.csv (model_a / model_b), so `export` refuses what cannot be flashed. */
import { readFileSync } from 'node:fs';

export interface Slot {
  name: string;
  size: number;
}

export function modelSlot(partitionsCsv: string, name = 'model_a'): Slot {
  const text = readFileSync(partitionsCsv, 'utf8');
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const cols = t.split(',').map((c) => c.trim());
    if (cols[0] !== name) continue;
    const size = Number(cols[4]);
    if (!Number.isInteger(size) || size <= 0) throw new Error(`${partitionsCsv}: partition ${name} has no usable size (${cols[4]})`);
    return { name, size };
  }
  throw new Error(`${partitionsCsv}: no partition named ${name}`);
}
