/** partitions.csv, parsed (the ESP-IDF format: Name, Type, SubType, Offset, Size, Flags). */
import { readFileSync } from 'node:fs';

export interface Partition {
  name: string;
  type: string;
  subtype: string;
  offset: number;
  size: number;
}

function num(s: string): number {
  const m = /^(0x[0-9a-f]+|\d+)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`bad number "${s}" in partitions.csv`);
  const n = Number(m[1]);
  return m[2]?.toLowerCase() === 'k' ? n * 1024 : m[2]?.toLowerCase() === 'm' ? n * 1024 * 1024 : n;
}

export function parsePartitions(text: string): Partition[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [name, type, subtype, offset, size] = l.split(',').map((f) => f.trim());
      if (!name || !type || !subtype || !offset || !size) throw new Error(`partitions.csv: every row needs an explicit offset and size: "${l}"`);
      return { name, type, subtype, offset: num(offset), size: num(size) };
    });
}

export function readPartitions(path: string): Partition[] {
  return parsePartitions(readFileSync(path, 'utf8'));
}

export function partition(parts: Partition[], name: string): Partition {
  const p = parts.find((x) => x.name === name);
  if (!p) throw new Error(`partitions.csv has no "${name}" partition`);
  return p;
}
