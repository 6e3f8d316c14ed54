/**
 * `--set name=value` for the simulators, as `jerrywatt flash` takes it: any non-secret setting of
 * device/settings/keys.ts. Secrets (Wi-Fi and MQTT passwords, the TLS key) come from files, never the command line.
 */
import { SETTINGS, type SettingName } from '../../device/settings/keys.ts';
import { idError, parseIdList, prefixError } from '../../device/ids.ts';

export class SettingFlagError extends Error {}

export function parseSetFlags(flags: readonly string[]): Partial<Record<SettingName, string | number>> {
  const out: Partial<Record<SettingName, string | number>> = {};
  for (const kv of flags) {
    const eq = kv.indexOf('=');
    const name = kv.slice(0, eq);
    if (eq < 1 || !Object.hasOwn(SETTINGS, name)) throw new SettingFlagError(`--set ${kv}: expected name=value with a setting name from device/settings/keys.ts (e.g. --set ledPin=4)`);
    const def = SETTINGS[name as SettingName];
    if (def.store !== 'settings') throw new SettingFlagError(`--set ${kv}: ${name} is runtime state the device keeps, not a setting`);
    if ('secret' in def && def.secret) throw new SettingFlagError(`--set ${kv}: ${name} is a secret; secrets are read from files, never from the command line`);
    if (def.type === 'blob') throw new SettingFlagError(`--set ${kv}: ${name} is binary; it has its own flag (--ota-pubkey FILE)`);
    const raw = kv.slice(eq + 1);
    if (def.type === 'i32') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw new SettingFlagError(`--set ${kv}: ${name} must be a 32-bit integer`);
      out[name as SettingName] = n;
    } else {
      // Ids become topic levels: the device would refuse to start with a bad one (device/ids.ts).
      const bad =
        name === 'deviceId' ? idError('device', raw) : name === 'group' && raw !== '' ? idError('group', raw) : name === 'meters' ? (parseIdList('meter', raw).errors[0] ?? null) : name === 'topicPrefix' ? prefixError(raw) : null;
      if (bad) throw new SettingFlagError(`--set ${name}: ${bad}`);
      out[name as SettingName] = raw;
    }
  }
  return out;
}
