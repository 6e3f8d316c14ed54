/**
 * The `settings` NVS partition image: a CSV for ESP-IDF's nvs_partition_gen.py, built from the key table in
 * device/settings/keys.ts (never a second list of keys). Secrets go to the file only, masked everywhere else.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SETTINGS, type SettingName } from '../../device/settings/keys.ts';

export const NVS_NAMESPACE = 'jerrywatt'; // native/include/jw_kv.h JW_KV_NAMESPACE

export type SettingValues = Partial<Record<SettingName, string | number | Buffer>>;

export interface CsvRow {
  key: string;
  type: 'namespace' | 'data' | 'file';
  encoding: '' | 'string' | 'i32' | 'hex2bin';
  value: string;
  secret: boolean;
}

/** An OTA public key file (PEM or DER) as SPKI DER, the form the device verifies with. */
export function readPublicKeyDer(path: string): Buffer {
  const raw = readFileSync(path);
  const key = raw.includes('-----BEGIN') ? createPublicKey(raw) : createPublicKey({ key: raw, format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error(`${path}: the OTA key must be an ECDSA P-256 public key`);
  return key.export({ format: 'der', type: 'spki' });
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function settingsRows(values: SettingValues, files: Partial<Record<SettingName, string>> = {}): CsvRow[] {
  const rows: CsvRow[] = [{ key: NVS_NAMESPACE, type: 'namespace', encoding: '', value: '', secret: false }];
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const def = SETTINGS[name];
    const v = values[name];
    const file = files[name];
    if (v === undefined && file === undefined) continue;
    if (def.store !== 'settings') throw new Error(`${name} is runtime state, not a setting`);
    const secret = 'secret' in def && def.secret === true;
    if (file !== undefined && def.type === 'str') rows.push({ key: def.key, type: 'file', encoding: 'string', value: file, secret });
    else if (def.type === 'str') rows.push({ key: def.key, type: 'data', encoding: 'string', value: String(v), secret });
    else if (def.type === 'i32') {
      const n = Number(v);
      if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw new Error(`${name} must be a 32-bit integer, got "${v}"`);
      rows.push({ key: def.key, type: 'data', encoding: 'i32', value: String(n), secret });
    } else rows.push({ key: def.key, type: 'data', encoding: 'hex2bin', value: Buffer.from(v as Buffer).toString('hex'), secret });
  }
  return rows;
}

export function settingsCsv(rows: CsvRow[], opts: { mask: boolean }): string {
  const lines = ['key,type,encoding,value'];
  for (const r of rows) lines.push([r.key, r.type, r.encoding, csvField(opts.mask && r.secret ? maskSecret(r.value) : r.value)].join(','));
  return lines.join('\n') + '\n';
}

export function maskSecret(v: string): string {
  return v.length === 0 ? '' : '*'.repeat(8);
}
