/** Reads settings through the native KV store, falling back to the table's defaults. */
import { settingDef, settingsTable, type SettingName, type SettingValue } from './keys.ts';
import { idError, prefixError } from '../ids.ts';

/** Reads one setting. `table`: a settingsTable() the caller holds while it reads many (boot); otherwise one row is built. */
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

export function readBootSettings(): BootSettings {
  const t = settingsTable(); // one table for every read here, garbage once the settings are read
  const read = <N extends SettingName>(name: N): SettingValue<N> => readSetting(name, t);
  return {
    deviceId: read('deviceId') || native.deviceId(),
    group: read('group'),
    wifiSsid: read('wifiSsid'),
    wifiPass: read('wifiPass'),
    brokerUrl: read('brokerUrl'),
    mqttUser: read('mqttUser'),
    mqttPass: read('mqttPass'),
    mqttCa: read('mqttCa'),
    mqttCert: read('mqttCert'),
    mqttKey: read('mqttKey'),
    keepaliveSec: read('keepaliveSec'),
    mqttMaxMsg: read('mqttMaxMsg'),
    topicPrefix: read('topicPrefix'),
    ledPin: read('ledPin'),
    ledPins: read('ledPins'),
    ledActiveLow: read('ledActiveLow') === 1,
    healthSec: read('healthSec'),
    backoffMinMs: read('backoffMinMs'),
    backoffMaxMs: read('backoffMaxMs'),
    ota: {
      window: read('otaWindow'),
      probeSec: read('otaProbeSec'),
      heapMin: read('otaHeapMin'),
      stallSec: Math.max(1, read('otaStallSec')),
      pubKey: read('otaPubKey'),
    },
    meter: {
      meters: read('meters'),
      meterRegs: read('meterRegs'),
      alarmPin: read('alarmPin'),
      scoreMs: Math.max(0, read('meterScoreMs')),
      nominalV: read('meterNominalV') > 0 ? read('meterNominalV') : 230,
      mainsHz: read('meterMainsHz') === 60 ? 60 : 50,
      staleMs: Math.max(100, read('meterStaleMs')),
      floodPerSec: Math.max(1, read('meterFlood')),
      modelSlot: read('modelSlot'),
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

