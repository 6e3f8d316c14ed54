/** The receiver's boundaries: the MQTT client it uses, its options, and the states it reports. */
import type { Native } from '../../bindings/native.js';

/** The part of an mqtt.js-like client the receiver uses (the device polyfill, or mqtt.js in host tests). */
export interface OtaClient {
  readonly connected: boolean;
  on(event: 'message', cb: (topic: string, payload: Uint8Array) => void): unknown;
  on(event: 'connect', cb: () => void): unknown;
  subscribe(topic: string, opts: { qos: 0 | 1 }): unknown;
  publish(topic: string, payload: string | Uint8Array, opts?: { qos?: 0 | 1; retain?: boolean }): unknown;
}

export interface OtaOptions {
  deviceId: string;
  prefix: string;
  group: string;
  maxMsg: number;
  window: number;
  probeSec: number;
  heapMin: number;
  /** A transfer with no new chunk for this long is abandoned (also across restarts), seconds. */
  stallSec: number;
  /** The offer signing key, SPKI DER (`otaPubKey`); null: every offer fails the signature check. */
  pubKey: ArrayBuffer | null;
  /** First retry timeout of a chunk request, ms. */
  retryMs?: number;
  /** Probation passes no earlier than this (the app must have run a while without an uncaught error), ms. */
  settleMs?: number;
  /** Told of a verified model before it is switched in; returns null to take it, or why it is refused. */
  onModel?: (slot: string, version: number) => string | null;
  /** The contract to use; the global `native` on the device. Host tests run several boards in one process. */
  native?: Native;
}

export type { OtaState } from './machine.ts';

/** Where an update in progress stands, as saved in `otaProg` (the safe points of docs/ota-protocol.md, Resume). */
export type Phase = 'erase' | 'download' | 'verify' | 'pending';

/** The status's `mem` figures of the current transfer. */
export interface OtaStats {
  /** Most solicited frame bytes in flight towards the device during this transfer. */
  peakOutstandingBytes: number;
  /** What the receiver allocated for this transfer (scratch chunk, bitmap, window table). */
  heldBytes: number;
}
