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

export const SETTINGS = {
  deviceId: { key: 'devId', store: 'settings', type: 'str', default: '', meaning: 'device id in topics; empty means the chip id' },
  group: { key: 'group', store: 'settings', type: 'str', default: '', meaning: 'fleet group for OTA offers; empty means none' },
  wifiSsid: { key: 'wifiSsid', store: 'settings', type: 'str', default: '', meaning: 'Wi-Fi network name' },
  wifiPass: { key: 'wifiPass', store: 'settings', type: 'str', default: '', meaning: 'Wi-Fi password', secret: true },
  brokerUrl: { key: 'brokerUrl', store: 'settings', type: 'str', default: 'mqtt://127.0.0.1:1883', meaning: 'MQTT broker URL (mqtt:// or mqtts://)' },
  mqttUser: { key: 'mqttUser', store: 'settings', type: 'str', default: '', meaning: 'MQTT username' },
  mqttPass: { key: 'mqttPass', store: 'settings', type: 'str', default: '', meaning: 'MQTT password', secret: true },
  mqttCa: { key: 'mqttCa', store: 'settings', type: 'str', default: '', meaning: 'PEM CA certificate for mqtts' },
  mqttCert: { key: 'mqttCert', store: 'settings', type: 'str', default: '', meaning: 'PEM client certificate (mutual TLS)' },
  mqttKey: { key: 'mqttKey', store: 'settings', type: 'str', default: '', meaning: 'PEM client key (mutual TLS)', secret: true },
  keepaliveSec: { key: 'keepalive', store: 'settings', type: 'i32', default: 30, meaning: 'MQTT keepalive, seconds' },
  mqttMaxMsg: { key: 'mqttMaxMsg', store: 'settings', type: 'i32', default: 8192, meaning: 'largest MQTT message handed to the app, bytes; larger ones are dropped unallocated' },
  topicPrefix: { key: 'topicPrefix', store: 'settings', type: 'str', default: 'esp', meaning: 'first topic level' },
  ledPin: { key: 'ledPin', store: 'settings', type: 'i32', default: 2, meaning: 'GPIO of the command LED' },
  ledPins: { key: 'ledPins', store: 'settings', type: 'str', default: '2,4,5,12-19,21-23,25-27,32,33', meaning: 'GPIOs a command may drive (6-11 are never allowed: they drive the flash)' },
  ledActiveLow: { key: 'ledActiveLow', store: 'settings', type: 'i32', default: 0, meaning: '1 when the LED lights on a low level' },
  healthSec: { key: 'healthSec', store: 'settings', type: 'i32', default: 30, meaning: 'period of health reports, seconds (0 disables)' },
  backoffMinMs: { key: 'backoffMin', store: 'settings', type: 'i32', default: 500, meaning: 'first reconnect delay, ms' },
  backoffMaxMs: { key: 'backoffMax', store: 'settings', type: 'i32', default: 30000, meaning: 'longest reconnect delay, ms' },
  otaPubKey: { key: 'otaPubKey', store: 'settings', type: 'blob', default: null, meaning: 'OTA manifest public key, SPKI DER (ECDSA P-256)' },
  otaWindow: { key: 'otaWindow', store: 'settings', type: 'i32', default: 5, meaning: 'OTA: chunks requested at once (the receive window; in-flight bytes <= window x chunk); 5 x 4 KB frames stay inside the firmware\'s 24 KB MQTT queue budget (JERRYWATT_MQTT_QUEUE_BUDGET_KB)' },
  otaProbeSec: { key: 'otaProbeSec', store: 'settings', type: 'i32', default: 60, meaning: 'OTA: probation deadline after booting a new firmware or app image, seconds' },
  otaStallSec: { key: 'otaStallSec', store: 'settings', type: 'i32', default: 120, meaning: 'OTA: a transfer with no new chunk for this many seconds is abandoned (rejected "stalled"), also across restarts' },
  otaHeapMin: { key: 'otaHeapMin', store: 'settings', type: 'i32', default: 8192, meaning: 'OTA: probation fails when the free JS heap is below this many bytes' },
  // meter telemetry and on-device anomaly detection (device/meter, docs/anomaly.md)
  meters: { key: 'meters', store: 'settings', type: 'str', default: '', meaning: 'meter ids to watch, comma-separated (topics <prefix>/<meter>/modbus); empty watches none' },
  meterRegs: { key: 'meterRegs', store: 'settings', type: 'str', default: '1006:current:0.001,1007:activePower:1,1009:voltage:0.1,1010:frequency:0.01,1011:thd:0.1', meaning: 'register map: register:quantity:scale[:offset], comma-separated; value = raw x scale + offset (quantities current A, activePower W, voltage V, frequency Hz, thd %)' },
  alarmPin: { key: 'alarmPin', store: 'settings', type: 'i32', default: 4, meaning: 'GPIO of the alarm LED (fast blink: anomaly, slow blink: stale data); -1 disables; must differ from ledPin' },
  meterScoreMs: { key: 'meterScoreMs', store: 'settings', type: 'i32', default: 0, meaning: 'score a meter at most once per this many ms of meter time; 0 scores every complete sample' },
  meterStaleMs: { key: 'meterStaleMs', store: 'settings', type: 'i32', default: 5000, meaning: 'a register missing for longer than this many ms makes the meter stale (reported, never scored)' },
  meterNominalV: { key: 'meterNominalV', store: 'settings', type: 'i32', default: 230, meaning: 'nominal RMS voltage of the meters, V (230 in Europe, 120 in North America): meter features are per unit of it' },
  meterMainsHz: { key: 'meterMainsHz', store: 'settings', type: 'i32', default: 50, meaning: 'nominal mains frequency of the meters, 50 or 60 Hz: frequency features are deviations from it; a model trained for another is refused' },
  meterFlood: { key: 'meterFlood', store: 'settings', type: 'i32', default: 50, meaning: 'readings per second per meter above which readings are dropped and counted as a flood' },
  // runtime state
  bootCount: { key: 'bootCount', store: 'state', type: 'i32', default: 0, meaning: 'boots since provisioning' },
  // software A/B of app images (docs/app-boot.md); the loaders in native/ and host/sim follow the same rule
  appSlot: { key: 'appSlot', store: 'state', type: 'str', default: '', meaning: 'app-image slot to boot (app_a|app_b); empty boots the embedded app' },
  appPrev: { key: 'appPrev', store: 'state', type: 'str', default: '', meaning: 'slot to return to if appSlot fails its probation' },
  appTrial: { key: 'appTrial', store: 'state', type: 'i32', default: 0, meaning: '0 confirmed; 1 new image, not yet booted; 2 booted once on probation' },
  appRolled: { key: 'appRolled', store: 'state', type: 'str', default: '', meaning: 'why the loader last rolled an app image back' },
  // OTA receiver (docs/ota-protocol.md)
  otaSeqFw: { key: 'otaSeqFw', store: 'state', type: 'i32', default: 0, meaning: 'OTA anti-rollback: version of the last accepted firmware' },
  otaSeqApp: { key: 'otaSeqApp', store: 'state', type: 'i32', default: 0, meaning: 'OTA anti-rollback: version of the last accepted app image' },
  otaSeqModel: { key: 'otaSeqModel', store: 'state', type: 'i32', default: 0, meaning: 'OTA anti-rollback: version of the last accepted model' },
  otaOffer: { key: 'otaOffer', store: 'state', type: 'blob', default: null, meaning: 'OTA: the signed offer of the update in progress (re-verified on resume)' },
  otaProg: { key: 'otaProg', store: 'state', type: 'str', default: '', meaning: 'OTA: phase,session,doneChunks,crcOfDone,probeBoots,slot of the update in progress' },
  otaLast: { key: 'otaLast', store: 'state', type: 'str', default: '', meaning: 'OTA: last final status (JSON), republished after a restart' },
  otaIssued: { key: 'otaIssued', store: 'state', type: 'str', default: '', meaning: 'OTA: issue time (ms since the epoch) of the newest offer taken; an offer issued earlier is stale and never started' },
  ledSeq: { key: 'ledSq', store: 'state', type: 'str', default: '', meaning: 'LED: last applied sequence of one sender, "<stamp> <seq> <sender>", one key per slot ledSq0..ledSq31 (device/led/senders.ts)' },
  modelSlot: { key: 'modelSlot', store: 'state', type: 'str', default: '', meaning: 'model slot in use (model_a|model_b); empty means none installed' },
} as const satisfies Record<string, SettingDef>;

export type SettingName = keyof typeof SETTINGS;
export type SettingValue<N extends SettingName> = (typeof SETTINGS)[N]['type'] extends 'i32'
  ? number
  : (typeof SETTINGS)[N]['type'] extends 'str'
    ? string
    : ArrayBuffer | null;
