/** Starts the OTA receiver from the device app: `startOta(client)` once the MQTT client exists. */
import { readSetting } from '../settings/read.ts';
import { OtaReceiver, type OtaClient, type OtaOptions } from './receiver.ts';

let modelHook: ((slot: string, version: number) => string | null) | null = null;

/**
 * The model runtime registers here to be offered each verified model (no restart). It returns null when it has
 * taken the model, or the reason it refuses it; the receiver then reports the update rejected.
 */
export function onModelSwap(cb: (slot: string, version: number) => string | null): void {
  modelHook = cb;
}

export function startOta(client: OtaClient, overrides: Partial<OtaOptions> = {}): OtaReceiver {
  const opts: OtaOptions = {
    deviceId: readSetting('deviceId') || native.deviceId(),
    prefix: readSetting('topicPrefix'),
    group: readSetting('group'),
    maxMsg: readSetting('mqttMaxMsg'),
    window: readSetting('otaWindow'),
    probeSec: readSetting('otaProbeSec'),
    heapMin: readSetting('otaHeapMin'),
    onModel: (slot, version) => (modelHook ? modelHook(slot, version) : null),
    ...overrides,
  };
  const r = new OtaReceiver(client, opts);
  r.start();
  return r;
}
