/** partitions.csv, parsed. Shared by the simulated board, `jerrywatt export` (slot sizes) and tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface PartitionEntry {
  name: string;
  type: string;
  subtype: string;
  offset: number;
  size: number;
}

export const FLASH_BYTES = 4 * 1024 * 1024;
export const SECTOR_BYTES = 4096;
export const DEFAULT_PARTITIONS_CSV = fileURLToPath(new URL('../../partitions.csv', import.meta.url));

export function parsePartitions(text: string): PartitionEntry[] {
  const out: PartitionEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, type, subtype, offset, size] = line.split(',').map((s) => s.trim());
    if (!name || !type || !subtype || !offset || !size) throw new Error(`partitions.csv: cannot read line "${raw}"`);
    out.push({ name, type, subtype, offset: parseNum(offset), size: parseNum(size) });
  }
  return out;
}

function parseNum(s: string): number {
  const m = /^(0x[0-9a-f]+|\d+)([KM]?)$/i.exec(s);
  if (!m) throw new Error(`partitions.csv: bad number "${s}"`);
  const n = Number(m[1]);
  return m[2]?.toUpperCase() === 'K' ? n * 1024 : m[2]?.toUpperCase() === 'M' ? n * 1024 * 1024 : n;
}

export function loadPartitions(path = DEFAULT_PARTITIONS_CSV): PartitionEntry[] {
  return parsePartitions(readFileSync(path, 'utf8'));
}

export function partitionSize(label: string, path = DEFAULT_PARTITIONS_CSV): number {
  const p = loadPartitions(path).find((e) => e.name === label);
  if (!p) throw new Error(`partitions.csv has no partition "${label}"`);
  return p.size;
}
