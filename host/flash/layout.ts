/**
 * Where each file of a full flash goes, computed from the chip, partitions.csv and sdkconfig.defaults, and the
 * check of the build's own flasher_args.json against it: a build made for another chip or partition table
 * (a stale build directory) is refused before anything is written.
 */
import { readFileSync } from 'node:fs';
import type { Chip } from './chips.ts';
import { partition, type Partition } from '../partitions.ts';

export interface FlashWrite {
  offset: number;
  /** Absolute path, or relative to the build directory for the firmware files. */
  file: string;
  what: string;
}

/** The files `idf.py build` leaves in its build directory (project name: build/idf/CMakeLists.txt). */
export const FIRMWARE_FILES = {
  bootloader: 'bootloader/bootloader.bin',
  partitionTable: 'partition_table/partition-table.bin',
  otadata: 'ota_data_initial.bin',
  app: 'jerrywatt.bin',
} as const;

export const hex = (n: number) => `0x${n.toString(16)}`;

/** A `CONFIG_X=value` of an sdkconfig(.defaults) file, or undefined. */
export function sdkconfigValue(text: string, name: string): string | undefined {
  const m = new RegExp(`^CONFIG_${name}=(.*)$`, 'm').exec(text);
  return m ? m[1]!.replace(/^"(.*)"$/, '$1') : undefined;
}

export function readSdkconfigValue(path: string, name: string): string | undefined {
  try {
    return sdkconfigValue(readFileSync(path, 'utf8'), name);
  } catch {
    return undefined;
  }
}

/** Bootloader, partition table, otadata and the firmware (ESP-IDF writes it to the first app partition). */
export function firmwareWrites(c: Chip, parts: Partition[], partitionTableOffset: number): FlashWrite[] {
  const apps = parts.filter((p) => p.type === 'app').sort((a, b) => a.offset - b.offset);
  if (!apps[0]) throw new Error('partitions.csv has no app partition');
  return [
    { offset: c.bootloaderOffset, file: FIRMWARE_FILES.bootloader, what: 'bootloader' },
    { offset: partitionTableOffset, file: FIRMWARE_FILES.partitionTable, what: 'partition table' },
    { offset: partition(parts, 'otadata').offset, file: FIRMWARE_FILES.otadata, what: 'otadata (boot ota_0)' },
    { offset: apps[0].offset, file: FIRMWARE_FILES.app, what: `firmware (${apps[0].name})` },
  ];
}

export interface FlasherArgs {
  write_flash_args: string[];
  flash_files: Record<string, string>;
  extra_esptool_args?: { chip?: string };
}

/** What is wrong with the build's flasher_args.json, given the writes this project expects; [] when it agrees. */
export function flasherArgsProblems(fa: FlasherArgs, expected: FlashWrite[], c: Chip): string[] {
  const problems: string[] = [];
  if (fa.extra_esptool_args?.chip !== undefined && fa.extra_esptool_args.chip !== c.target)
    problems.push(`the build is for ${fa.extra_esptool_args.chip}, not ${c.target}`);
  const files = new Map(Object.entries(fa.flash_files ?? {}).map(([o, f]) => [Number(o), f]));
  for (const w of expected) {
    const f = files.get(w.offset);
    if (f !== w.file) problems.push(`${w.what}: expected ${w.file} at ${hex(w.offset)}, the build has ${f ?? 'nothing'} there`);
    files.delete(w.offset);
  }
  for (const [o, f] of files) problems.push(`the build also writes ${f} at ${hex(o)}, which this project does not expect`);
  if (!Array.isArray(fa.write_flash_args) || fa.write_flash_args.some((a) => typeof a !== 'string')) problems.push('write_flash_args is not a list of strings');
  return problems;
}
