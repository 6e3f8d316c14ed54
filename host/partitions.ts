/**
 * partitions.csv, parsed (the ESP-IDF format: Name, Type, SubType, Offset, Size, Flags). The one reader for the
 * simulated board, `jerrywatt flash`, `export` (model slot size) and the tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './paths.ts';

export interface Partition {
  name: string;
  type: string;
  subtype: string;
  offset: number;
  size: number;
}

export const FLASH_BYTES = 4 * 1024 * 1024;
export const SECTOR_BYTES = 4096;
export const DEFAULT_PARTITIONS_CSV = join(packageRoot(), 'partitions.csv');

function num(s: string): number {
  const m = /^(0x[0-9a-f]+|\d+)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`bad number "${s}" in partitions.csv`);
  const n = Number(m[1]);
  return m[2]?.toLowerCase() === 'k' ? n * 1024 : m[2]?.toLowerCase() === 'm' ? n * 1024 * 1024 : n;
}

export function parsePartitions(text: string): Partition[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l)
    .map((l) => {
      const [name, type, subtype, offset, size] = l.split(',').map((f) => f.trim());
      if (!name || !type || !subtype || !offset || !size) throw new Error(`partitions.csv: every row needs an explicit offset and size: "${l}"`);
      return { name, type, subtype, offset: num(offset), size: num(size) };
    });
}

export function readPartitions(path = DEFAULT_PARTITIONS_CSV): Partition[] {
  return parsePartitions(readFileSync(path, 'utf8'));
}

export function partition(parts: Partition[], name: string): Partition {
  const p = parts.find((x) => x.name === name);
  if (!p) throw new Error(`partitions.csv has no "${name}" partition`);
  return p;
}
