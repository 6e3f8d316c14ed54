/** Starts the OTA receiver from the device app: `startOta(client, options)` once the MQTT client exists. */
import { OtaReceiver, type OtaClient, type OtaOptions } from './receiver.ts';

export type { OtaClient, OtaOptions };

export function startOta(client: OtaClient, options: OtaOptions): OtaReceiver {
  const r = new OtaReceiver(client, options);
  r.start();
  return r;
}
