/**
 * Every settings key, defined once. NVS limits keys to 15 characters; a test checks that.
 * `store: 'settings'` keys are provisioned by `jerrywatt flash` (or `jerrywatt sim` flags);
 * `store: 'state'` keys are runtime state that the device writes itself.
 * Later features add rows here; nothing else declares a key.
 */
import type { KvStore, KvType } from '../../bindings/native.js';

export interface SettingDef {
  key: string;
  store: KvStore;
  type: KvType;
  default: string | number | null;
  meaning: string;
  /** Never logged in full. */
  secret?: boolean;
}

/** A provisioned setting's row: its NVS key ('' for the setting's own name), type and default (spread into the table,
 * which reads short that way). */
function settings<const K extends string, const T extends KvType, const D extends string | number | null>(key: K, type: T, def: D) {
  return { key, store: 'settings' as const, type, default: def };
}

/** A runtime-state row. */
function state<const K extends string, const T extends KvType, const D extends string | number | null>(key: K, type: T, def: D) {
  return { key, store: 'state' as const, type, default: def };
}

/**
 * The rows, built anew by each call: the device keeps no copy of the table (about 2.4 KB of its 64 KB JS heap,
 * measured on the engine, docs/engine.md). Host tools use SETTINGS; the device uses settingsTable / settingDef, and
 * esbuild drops the unused SETTINGS from the device bundle (a pure call).
 */
function tableRows() {
  return {
    deviceId: { ...settings('devId', 'str', ''), meaning: 'device id in topics; empty means the chip id' },
    group: { ...settings('', 'str', ''), meaning: 'fleet group for OTA offers; empty means none' },
    wifiSsid: { ...settings('', 'str', ''), meaning: 'Wi-Fi network name' },
    wifiPass: { ...settings('', 'str', ''), meaning: 'Wi-Fi password', secret: true },
    brokerUrl: { ...settings('', 'str', 'mqtt://127.0.0.1:1883'), meaning: 'MQTT broker URL (mqtt:// or mqtts://)' },
    mqttUser: { ...settings('', 'str', ''), meaning: 'MQTT username' },
    mqttPass: { ...settings('', 'str', ''), meaning: 'MQTT password', secret: true },
    mqttCa: { ...settings('', 'str', ''), meaning: 'PEM CA certificate for mqtts' },
    mqttCert: { ...settings('', 'str', ''), meaning: 'PEM client certificate (mutual TLS)' },
    mqttKey: { ...settings('', 'str', ''), meaning: 'PEM client key (mutual TLS)', secret: true },
    keepaliveSec: { ...settings('keepalive', 'i32', 30), meaning: 'MQTT keepalive, seconds' },
    mqttMaxMsg: { ...settings('', 'i32', 8192), meaning: 'largest MQTT message handed to the app, bytes; larger ones are dropped unallocated' },
    topicPrefix: { ...settings('', 'str', 'esp'), meaning: 'first topic level' },
    ledPin: { ...settings('', 'i32', 2), meaning: 'GPIO of the command LED' },
    ledPins: { ...settings('', 'str', '2,4,5,12-19,21-23,25-27,32,33'), meaning: 'GPIOs a command may drive (6-11 are never allowed: they drive the flash)' },
    ledActiveLow: { ...settings('', 'i32', 0), meaning: '1 when the LED lights on a low level' },
    healthSec: { ...settings('', 'i32', 30), meaning: 'period of health reports, seconds (0 disables)' },
    backoffMinMs: { ...settings('backoffMin', 'i32', 500), meaning: 'first reconnect delay, ms' },
    backoffMaxMs: { ...settings('backoffMax', 'i32', 30000), meaning: 'longest reconnect delay, ms' },
    otaPubKey: { ...settings('', 'blob', null), meaning: 'OTA manifest public key, SPKI DER (ECDSA P-256)' },
    otaWindow: { ...settings('', 'i32', 5), meaning: 'OTA: chunks requested at once (the receive window; in-flight bytes <= window x chunk); 5 x 4 KB frames stay inside the firmware\'s 24 KB MQTT queue budget (JERRYWATT_MQTT_QUEUE_BUDGET_KB)' },
    otaProbeSec: { ...settings('', 'i32', 60), meaning: 'OTA: probation deadline after booting a new firmware or app image, seconds' },
    otaStallSec: { ...settings('', 'i32', 120), meaning: 'OTA: a transfer with no new chunk for this many seconds is abandoned (rejected "stalled"), also across restarts' },
    otaHeapMin: { ...settings('', 'i32', 8192), meaning: 'OTA: probation fails when the free JS heap is below this many bytes' },
    // meter telemetry and on-device anomaly detection (device/meter, docs/anomaly.md)
    meters: { ...settings('', 'str', ''), meaning: 'meter ids to watch, comma-separated (topics <prefix>/<meter>/modbus); empty watches none' },
    meterRegs: { ...settings('', 'str', '1006:current:0.001,1007:activePower:1,1009:voltage:0.1,1010:frequency:0.01,1011:thd:0.1'), meaning: 'register map: register:quantity:scale[:offset], comma-separated; value = raw x scale + offset (quantities current A, activePower W, voltage V, frequency Hz, thd %)' },
    alarmPin: { ...settings('', 'i32', 4), meaning: 'GPIO of the alarm LED (fast blink: anomaly, slow blink: stale data); -1 disables; must differ from ledPin' },
    meterScoreMs: { ...settings('', 'i32', 0), meaning: 'score a meter at most once per this many ms of meter time; 0 scores every complete sample' },
    meterStaleMs: { ...settings('', 'i32', 5000), meaning: 'a register missing for longer than this many ms makes the meter stale (reported, never scored)' },
    meterNominalV: { ...settings('', 'i32', 230), meaning: 'nominal RMS voltage of the meters, V (230 in Europe, 120 in North America): meter features are per unit of it' },
    meterMainsHz: { ...settings('', 'i32', 50), meaning: 'nominal mains frequency of the meters, 50 or 60 Hz: frequency features are deviations from it; a model trained for another is refused' },
    meterFlood: { ...settings('', 'i32', 50), meaning: 'readings per second per meter above which readings are dropped and counted as a flood' },
    // runtime state
    bootCount: { ...state('', 'i32', 0), meaning: 'boots since provisioning' },
    // software A/B of app images (docs/app-boot.md); the loaders in native/ and host/sim follow the same rule
    appSlot: { ...state('', 'str', ''), meaning: 'app-image slot to boot (app_a|app_b); empty boots the embedded app' },
    appPrev: { ...state('', 'str', ''), meaning: 'slot to return to if appSlot fails its probation' },
    appTrial: { ...state('', 'i32', 0), meaning: '0 confirmed; 1 new image, not yet booted; 2 booted once on probation' },
    appRolled: { ...state('', 'str', ''), meaning: 'why the loader last rolled an app image back' },
    // OTA receiver (docs/ota-protocol.md)
    otaSeqFw: { ...state('', 'i32', 0), meaning: 'OTA anti-rollback: version of the last accepted firmware' },
    otaSeqApp: { ...state('', 'i32', 0), meaning: 'OTA anti-rollback: version of the last accepted app image' },
    otaSeqModel: { ...state('', 'i32', 0), meaning: 'OTA anti-rollback: version of the last accepted model' },
    otaOffer: { ...state('', 'blob', null), meaning: 'OTA: the signed offer of the update in progress (re-verified on resume)' },
    otaProg: { ...state('', 'str', ''), meaning: 'OTA: phase,session,doneChunks,crcOfDone,probeBoots,slot of the update in progress' },
    otaLast: { ...state('', 'str', ''), meaning: 'OTA: last final status (JSON), republished after a restart' },
    otaIssued: { ...state('', 'str', ''), meaning: 'OTA: issue time (ms since the epoch) of the newest offer taken; an offer issued earlier is stale and never started' },
    ledSeq: { ...state('ledSq', 'str', ''), meaning: 'LED: last applied sequence of one sender, "<stamp> <seq> <sender>", one key per slot ledSq0..ledSq31 (device/led/senders.ts)' },
    modelSlot: { ...state('', 'str', ''), meaning: 'model slot in use (model_a|model_b); empty means none installed' },
  } as const satisfies Record<string, SettingDef>;
}

type Table = ReturnType<typeof tableRows>;
type Rows = { [N in keyof Table]: Omit<Table[N], 'key'> & { key: string } };

/** Every settings key, defined once; a row whose key is '' is stored under its own name. A new table per call. */
export function settingsTable(): Rows {
  const t = tableRows() as Rows;
  for (const name in t) {
    const row = t[name as keyof Table] as { key: string };
    if (!row.key) row.key = name;
  }
  return t;
}

/** The whole table, for host tools (the device looks rows up with settingDef and keeps none). */
export const SETTINGS = /* @__PURE__ */ settingsTable();

/** One row, without keeping the table (device code). */
export function settingDef<N extends SettingName>(name: N): Rows[N] {
  return settingsTable()[name];
}

export type SettingName = keyof Table;
export type SettingValue<N extends SettingName> = Table[N]['type'] extends 'i32'
  ? number
  : Table[N]['type'] extends 'str'
    ? string
    : ArrayBuffer | null;
