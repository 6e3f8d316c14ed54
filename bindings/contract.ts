/** Runtime twins of the contract's types (bindings/native.d.ts); the type checker keeps them equal. */
import type { NativeContractVersion, NativeLimits } from './native.js';

export const CONTRACT_VERSION: NativeContractVersion = 2;

/** The limits both implementations enforce: the simulated board reads them here, the C bindings define the same numbers. */
export const NATIVE_LIMITS: NativeLimits = {
  topicBytes: 255,
  urlBytes: 255,
  clientIdBytes: 127,
  credentialBytes: 256,
  pemBytes: 8192,
  willPayloadBytes: 4096,
  mqttClients: 4,
  timers: 32,
  sha256Contexts: 4,
  partIoBytes: 65536,
  ssidBytes: 32,
  wifiPasswordBytes: 64,
  kvValueBytes: 4000,
  kvKeyChars: 15,
};
