/** Reads settings through the native KV store, falling back to the table's defaults. */
import { settingDef, settingsTable, type SettingName, type SettingValue } from './keys.ts';
import { idError, prefixError } from '../ids.ts';

/** `table`: a settingsTable() the caller holds while it reads many (boot); otherwise one row is built. */
export function readSetting<N extends SettingName>(name: N, table?: ReturnType<typeof settingsTable>): SettingValue<N> {
  const def = table ? table[name] : settingDef(name);
  const v = native.kvGet(def.store, def.key, def.type);
  if (v === undefined) return def.default as SettingValue<N>;
  return v as SettingValue<N>;
}

export function writeState<N extends SettingName>(name: N, value: string | number | ArrayBuffer): boolean {
  const def = settingDef(name);
  if (def.store !== 'state') throw new TypeError(`${name} is a provisioned setting, not runtime state`);
  return native.kvSet('state', def.key, value);
}

/** The OTA receiver's settings (docs/ota-protocol.md, Limits). */
export interface OtaSettings {
  window: number;
  probeSec: number;
  heapMin: number;
  stallSec: number;
  pubKey: ArrayBuffer | null;
}

/** The meter detector's settings (docs/anomaly.md), and the model slot in use at boot. */
export interface MeterSettings {
  meters: string;
  meterRegs: string;
  alarmPin: number;
  scoreMs: number;
  staleMs: number;
  floodPerSec: number;
  /** Nominal voltage and mains frequency the meter features are relative to. */
  nominalV: number;
  mainsHz: number;
  modelSlot: string;
}

/**
 * Every setting the app uses, read once at boot (device/app.ts) and handed to each part: no part reads the store
 * itself. Runtime state that changes while the app runs (OTA progress, LED sequences) is read by its owner.
 */
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
  ota: OtaSettings;
  meter: MeterSettings;
}

/** The settings BootSettings holds as they are stored, under the same name. */
const PLAIN = ['group', 'wifiSsid', 'wifiPass', 'brokerUrl', 'mqttUser', 'mqttPass', 'mqttCa', 'mqttCert', 'mqttKey', 'keepaliveSec', 'mqttMaxMsg', 'topicPrefix', 'ledPin', 'ledPins', 'healthSec', 'backoffMinMs', 'backoffMaxMs'] as const;
type Plain = { [N in (typeof PLAIN)[number]]: SettingValue<N> };

export function readBootSettings(): BootSettings {
  const t = settingsTable(); // one table for every read here, garbage once the settings are read
  // Each name once (a smaller image): read in a loop, typed by `Plain`.
  const plain = {} as { [k: string]: unknown };
  for (let i = 0; i < PLAIN.length; i++) plain[PLAIN[i]!] = readSetting(PLAIN[i]!, t);
  return {
    ...(plain as Plain),
    deviceId: readSetting('deviceId', t) || native.deviceId(),
    ledActiveLow: readSetting('ledActiveLow', t) === 1,
    ota: {
      window: readSetting('otaWindow', t),
      probeSec: readSetting('otaProbeSec', t),
      heapMin: readSetting('otaHeapMin', t),
      stallSec: Math.max(1, readSetting('otaStallSec', t)),
      pubKey: readSetting('otaPubKey', t),
    },
    meter: {
      meters: readSetting('meters', t),
      meterRegs: readSetting('meterRegs', t),
      alarmPin: readSetting('alarmPin', t),
      scoreMs: Math.max(0, readSetting('meterScoreMs', t)),
      nominalV: readSetting('meterNominalV', t) > 0 ? readSetting('meterNominalV', t) : 230,
      mainsHz: readSetting('meterMainsHz', t) === 60 ? 60 : 50,
      staleMs: Math.max(100, readSetting('meterStaleMs', t)),
      floodPerSec: Math.max(1, readSetting('meterFlood', t)),
      modelSlot: readSetting('modelSlot', t),
    },
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
