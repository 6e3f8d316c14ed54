/** Starts the OTA receiver from the device app: `startOta(client)` once the MQTT client exists. */
import { SETTINGS, type SettingName } from '../settings/keys.ts';
import { OtaReceiver, type OtaClient, type OtaOptions } from './receiver.ts';

let modelHook: ((slot: string, version: number) => string | null) | null = null;

/**
 * The model runtime registers here to be offered each verified model (no restart). It returns null when it has
 * taken the model, or the reason it refuses it; the receiver then reports the update rejected.
 */
export function onModelSwap(cb: (slot: string, version: number) => string | null): void {
  modelHook = cb;
}

function setting(name: SettingName): string | number {
  const d = SETTINGS[name];
  const v = native.kvGet(d.store, d.key, d.type);
  return (v === undefined ? d.default : v) as string | number;
}

export function startOta(client: OtaClient, overrides: Partial<OtaOptions> = {}): OtaReceiver {
  const opts: OtaOptions = {
    deviceId: (setting('deviceId') as string) || native.deviceId(),
    prefix: setting('topicPrefix') as string,
    group: setting('group') as string,
    maxMsg: setting('mqttMaxMsg') as number,
    window: setting('otaWindow') as number,
    probeSec: setting('otaProbeSec') as number,
    heapMin: setting('otaHeapMin') as number,
    onModel: (slot, version) => (modelHook ? modelHook(slot, version) : null),
    ...overrides,
  };
  const r = new OtaReceiver(client, opts);
  r.start();
  return r;
}
