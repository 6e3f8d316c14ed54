/**
 * The host twin's settings, state and flash, as files under its host dir (native/posix/kv.c, part.c):
 * `nvs-<store>/<key>.<type>` (str: the bytes, i32: decimal text, blob: the bytes) and `flash/<label>.bin` (the
 * whole partition, erased bytes 0xFF). Provisioning writes them before the runtime starts, as `jerrywatt flash`
 * writes the settings partition.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS, type SettingName } from '../../device/settings/keys.ts';
import { readPartitions } from '../partitions.ts';

export type HostValue = string | number | Uint8Array;

const KV_TYPES = ['str', 'i32', 'blob'] as const;
/** NVS keeps a string or blob of at most about 4000 bytes (native/posix/kv.c KV_VALUE_MAX). */
const KV_VALUE_MAX = 4000;

function kvDir(hostDir: string, store: 'settings' | 'state'): string {
  return join(hostDir, store === 'settings' ? 'nvs-settings' : 'nvs-state');
}

/** Writes one setting (or state key) by name, replacing a value of another type, as NVS does. */
export function writeHostSetting(hostDir: string, name: SettingName, value: HostValue): void {
  const def = SETTINGS[name];
  if (!def) throw new Error(`unknown setting ${name}`);
  const dir = kvDir(hostDir, def.store);
  mkdirSync(dir, { recursive: true });
  let bytes: Buffer;
  if (def.type === 'i32') {
    const n = Number(value);
    if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw new Error(`setting ${name} must be a 32-bit integer, got "${String(value)}"`);
    bytes = Buffer.from(String(n));
  } else if (def.type === 'str') bytes = Buffer.from(String(value), 'utf8');
  else bytes = Buffer.from(value as Uint8Array);
  if (bytes.length > KV_VALUE_MAX) throw new Error(`setting ${name}: ${bytes.length} bytes is over the NVS limit of ${KV_VALUE_MAX}`);
  for (const t of KV_TYPES) rmSync(join(dir, `${def.key}.${t}`), { force: true });
  writeFileSync(join(dir, `${def.key}.${def.type}`), bytes);
}

/** One setting (or state key) as the runtime would read it; undefined when absent. */
export function readHostSetting(hostDir: string, name: SettingName): string | number | Buffer | undefined {
  const def = SETTINGS[name];
  const p = join(kvDir(hostDir, def.store), `${def.key}.${def.type}`);
  if (!existsSync(p)) return undefined;
  const raw = readFileSync(p);
  return def.type === 'i32' ? Number(raw.toString()) : def.type === 'str' ? raw.toString('utf8') : raw;
}

/** Writes `bytes` at the start of partition `label`, the rest erased, as a flash tool would. */
export function writeHostPartition(hostDir: string, partitionsCsv: string, label: string, bytes: Uint8Array): void {
  const p = readPartitions(partitionsCsv).find((x) => x.name === label);
  if (!p) throw new Error(`no partition ${label} in ${partitionsCsv}`);
  if (bytes.length > p.size) throw new Error(`${bytes.length} bytes do not fit partition ${label} (${p.size})`);
  const image = Buffer.alloc(p.size, 0xff);
  image.set(bytes, 0);
  mkdirSync(join(hostDir, 'flash'), { recursive: true });
  writeFileSync(join(hostDir, 'flash', `${label}.bin`), image);
}
