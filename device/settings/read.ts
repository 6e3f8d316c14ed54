/** Reads settings through the native KV store, falling back to the table's defaults. */
import { SETTINGS, type SettingName, type SettingValue } from './keys.ts';
import { idError, prefixError } from '../ids.ts';

export function readSetting<N extends SettingName>(name: N): SettingValue<N> {
  const def = SETTINGS[name];
  const v = native.kvGet(def.store, def.key, def.type);
  if (v === undefined) return def.default as SettingValue<N>;
  return v as SettingValue<N>;
}

export function writeState<N extends SettingName>(name: N, value: string | number | ArrayBuffer): boolean {
  const def = SETTINGS[name];
  if (def.store !== 'state') throw new TypeError(`${name} is a provisioned setting, not runtime state`);
  return native.kvSet('state', def.key, value);
}

/** The settings the spine needs at boot, read once. */
export interface BootSettings {
  deviceId: string;
  group: string;
  wifiSsid: string;
  wifiPass: string;
  brokerUrl: string;
  mqttUser: string;
  mqttPass: string;
  mqttCa: string;
  mqttCert: string;
  mqttKey: string;
  keepaliveSec: number;
  mqttMaxMsg: number;
  topicPrefix: string;
  ledPin: number;
  ledPins: string;
  ledActiveLow: boolean;
  healthSec: number;
  backoffMinMs: number;
  backoffMaxMs: number;
}

export function readBootSettings(): BootSettings {
  return {
    deviceId: readSetting('deviceId') || native.deviceId(),
    group: readSetting('group'),
    wifiSsid: readSetting('wifiSsid'),
    wifiPass: readSetting('wifiPass'),
    brokerUrl: readSetting('brokerUrl'),
    mqttUser: readSetting('mqttUser'),
    mqttPass: readSetting('mqttPass'),
    mqttCa: readSetting('mqttCa'),
    mqttCert: readSetting('mqttCert'),
    mqttKey: readSetting('mqttKey'),
    keepaliveSec: readSetting('keepaliveSec'),
    mqttMaxMsg: readSetting('mqttMaxMsg'),
    topicPrefix: readSetting('topicPrefix'),
    ledPin: readSetting('ledPin'),
    ledPins: readSetting('ledPins'),
    ledActiveLow: readSetting('ledActiveLow') === 1,
    healthSec: readSetting('healthSec'),
    backoffMinMs: readSetting('backoffMinMs'),
    backoffMaxMs: readSetting('backoffMaxMs'),
  };
}

/**
 * Why the device cannot use its identity settings (device id, group, topic prefix), or null. They become topic
 * levels: a wildcard or a `/` would subscribe it to other devices' topics or make the broker drop it in a loop.
 */
export function identityError(s: Pick<BootSettings, 'deviceId' | 'group' | 'topicPrefix'>): string | null {
  const e = idError('device', s.deviceId) ?? (s.group === '' ? null : idError('group', s.group)) ?? prefixError(s.topicPrefix);
  return e ? `settings: ${e}` : null;
}
