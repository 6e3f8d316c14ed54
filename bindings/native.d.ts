/**
 * The `native` contract: the only way the device app reaches the world.
 *
 * Declared once, here. Implemented twice: in C on the ESP32 (bindings/*.c over native/*) and in
 * TypeScript by the simulated board (host/sim/native/*). Both sides are checked against this file.
 *
 * Rules that keep it thin in C:
 * - flat functions on one object, no classes;
 * - numbers, strings, booleans, plain objects and ArrayBuffers only;
 * - events reach JS as callbacks the native side calls on the one JS task, and Promise jobs run
 *   after each callback;
 * - failures that a peer can cause return a value (null, false, a negative number, an error string);
 *   programming errors throw (see NativeErrorCode).
 * - errors cross as codes, with a message beside them for people and logs: an app never parses messages.
 * - both sides enforce the same limits (NativeLimits); test/conformance proves it by behaviour.
 */

/** Bumped whenever a function is added, removed or changes meaning. Goes into app image headers.
 * 2: errors carry codes (NativeError.code; MqttHandlers.onError gets an MqttError), limits are refused, not dropped. */
export type NativeContractVersion = 2;

/**
 * `code` of every Error a native function throws:
 * - `EARG`    TypeError: an argument of the wrong type or shape (not a string, not a GPIO, an unknown mode...).
 * - `EHANDLE` TypeError: a handle that is not open (an MQTT client after mqttEnd, a finished digest).
 * - `ERANGE`  RangeError: a value outside the limits below, or outside the partition.
 * - `ELIMIT`  RangeError: too many open at once (MQTT clients, timers, digest contexts).
 */
export type NativeErrorCode = 'EARG' | 'EHANDLE' | 'ERANGE' | 'ELIMIT';
export interface NativeError extends Error {
  code: NativeErrorCode;
}

/** The limits both implementations enforce (bindings/contract.ts NATIVE_LIMITS holds the numbers). Lengths are UTF-8 bytes. */
export interface NativeLimits {
  /** MQTT topic (subscribe, unsubscribe, publish, will): 1..255 bytes. */
  topicBytes: 255;
  urlBytes: 255;
  /** MQTT client id: 1..127 bytes. */
  clientIdBytes: 127;
  /** MQTT username and password. */
  credentialBytes: 256;
  /** Each PEM (CA, client certificate, client key). */
  pemBytes: 8192;
  willPayloadBytes: 4096;
  mqttClients: 4;
  timers: 32;
  sha256Contexts: 4;
  /** Bytes one partRead moves through the JS heap. */
  partIoBytes: 65536;
  ssidBytes: 32;
  wifiPasswordBytes: 64;
  /** A kv string (with its NUL) or blob. */
  kvValueBytes: 4000;
  kvKeyChars: 15;
}

/** `code` of what MqttHandlers.onError reports. */
export type MqttErrorCode =
  /** a message over maxMessageBytes, dropped before it was allocated (`topic`, `bytes`) */
  | 'oversize'
  /** a message the queue budget had no room for, dropped unallocated (`topic`, `bytes`) */
  | 'queue-full'
  /** the JS heap could not hold a message (`topic`, `bytes`) */
  | 'no-memory'
  /** fragments out of sequence: the message was dropped */
  | 'bad-fragment'
  /** the broker refused a subscription (SUBACK failure) to `topic`: subscribe again later */
  | 'subscribe-refused'
  /** anything else the transport reports */
  | 'transport';

export interface MqttError {
  code: MqttErrorCode;
  /** For people and logs only. */
  message: string;
  topic?: string;
  bytes?: number;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type GpioMode = 'input' | 'output' | 'input_pullup' | 'input_pulldown';
/** `settings` is the provisioned partition (written by `jerrywatt flash`); `state` is runtime state (`nvs`). */
export type KvStore = 'settings' | 'state';
export type KvType = 'str' | 'i32' | 'blob';
export type Bytes = ArrayBuffer;

export interface WifiEvent {
  /** `got_ip` once the station has an address; `disconnected` with the driver's reason code. */
  event: 'got_ip' | 'disconnected';
  ip?: string;
  reason?: number;
}

export interface MqttConnectOptions {
  /** mqtt://host:port, mqtts://host:port */
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** PEM CA certificate for mqtts. */
  caPem?: string;
  /** PEM client certificate and key, for mutual TLS. */
  certPem?: string;
  keyPem?: string;
  keepaliveSec?: number;
  /** false keeps the broker session (QoS 1 messages queued while away). */
  cleanSession?: boolean;
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
  /**
   * Largest message the native side will hand to JS, reassembled from fragments. Anything larger is
   * dropped before it is allocated and reported through `onError` with code `oversize`. Messages
   * waiting for JS also share a byte budget (firmware Kconfig JERRYWATT_MQTT_QUEUE_BUDGET_KB); one that does not
   * fit is dropped unallocated and reported with code `queue-full`.
   */
  maxMessageBytes?: number;
}

export interface MqttMessageInfo {
  qos: 0 | 1 | 2;
  retain: boolean;
  dup: boolean;
}

export interface MqttHandlers {
  onConnect(sessionPresent: boolean): void;
  onMessage(topic: string, payload: Bytes, info: MqttMessageInfo): void;
  /** The connection is gone (refused, dropped, or ended). The native side does not reconnect by itself. */
  onClose(reason: string): void;
  onError(error: MqttError): void;
}

export interface PartitionInfo {
  label: string;
  /** Bytes. Erase is in units of `eraseSize`. */
  size: number;
  eraseSize: number;
  address: number;
}

export type OtaState = 'new' | 'pending-verify' | 'valid' | 'invalid' | 'aborted' | 'undefined';

export interface OtaSlotInfo {
  /** Partition label: ota_0 or ota_1. */
  label: string;
  state: OtaState;
}

export interface HeapStats {
  /** JS engine heap, bytes. */
  jsSize: number;
  /** Live bytes after a garbage collection (the C side collects first); NaN where the runtime cannot measure. */
  jsUsed: number;
  jsPeak: number;
  /** Native (malloc) heap, bytes. */
  nativeFree: number;
  nativeMinFree: number;
}

export interface SystemInfo {
  /** Firmware (native runtime) version string. */
  firmware: string;
  chip: string;
  /** e.g. "jerryscript-3.0.0" on the device, "node-sim" on the simulated board. */
  engine: string;
  /** Hex SHA-256 prefix of the checked-in engine configuration (build/engine-config.json). */
  engineConfigHash: string;
  contractVersion: NativeContractVersion;
  /** Label of the app-image slot the running app was loaded from, or "embedded". */
  appSlot: string;
}

export interface Native {
  readonly contractVersion: NativeContractVersion;

  // --- logging -----------------------------------------------------------------------------------
  log(level: LogLevel, message: string): void;

  // --- monotonic clock and timers ------------------------------------------------------------------
  /** Milliseconds since boot, monotonic. */
  millis(): number;
  /** Calls `cb` after `ms` (and every `ms` when `repeat`). Returns a timer id > 0. */
  timerStart(ms: number, repeat: boolean, cb: () => void): number;
  timerStop(id: number): void;
  /** Milliseconds since the Unix epoch once SNTP has set the clock, else 0. */
  wallClock(): number;

  // --- GPIO ----------------------------------------------------------------------------------------
  gpioMode(pin: number, mode: GpioMode): void;
  gpioWrite(pin: number, level: 0 | 1): void;
  gpioRead(pin: number): 0 | 1;

  // --- Wi-Fi station -------------------------------------------------------------------------------
  /** Starts (or restarts) the station; the outcome arrives through `wifiOn`. */
  wifiConnect(ssid: string, password: string): void;
  wifiOn(cb: (e: WifiEvent) => void): void;
  wifiStatus(): 'idle' | 'connecting' | 'connected';

  // --- MQTT (esp-mqtt) ------------------------------------------------------------------------------
  /**
   * Starts one connection attempt. Returns a client handle > 0. Throws EARG for a bad url or clientId,
   * ERANGE for an option over its limit (never silently dropped), ELIMIT beyond NativeLimits.mqttClients.
   */
  mqttConnect(options: MqttConnectOptions, handlers: MqttHandlers): number;
  /** Another attempt with the same options, after `onClose`. EHANDLE for a client that is not open. */
  mqttReconnect(client: number): void;
  /**
   * Returns a message id (>= 0), or -1 when not connected or the outbox is full (try again later). Throws
   * EHANDLE for a client that is not open, ERANGE for a topic that is empty or over 255 bytes.
   */
  mqttSubscribe(client: number, topic: string, qos: 0 | 1): number;
  mqttUnsubscribe(client: number, topic: string): number;
  mqttPublish(client: number, topic: string, payload: Bytes | string, qos: 0 | 1, retain: boolean): number;
  /** Closes and frees the client; no callback follows. */
  mqttEnd(client: number): void;

  // --- settings and state (NVS) ---------------------------------------------------------------------
  /** Keys are at most 15 characters (NVS). Returns undefined when absent or of another type. */
  kvGet(store: KvStore, key: string, type: KvType): string | number | Bytes | undefined;
  /** Returns false when the store is full or the key invalid. The `settings` store is writable only by provisioning tools; the device writes `state`. */
  kvSet(store: KvStore, key: string, value: string | number | Bytes): boolean;
  kvErase(store: KvStore, key: string): void;

  // --- flash partitions (data partitions by label) ---------------------------------------------------
  partInfo(label: string): PartitionInfo | undefined;
  partRead(label: string, offset: number, length: number): Bytes;
  /** offset and length must be multiples of eraseSize (4096). Sets the bytes to 0xFF. */
  partErase(label: string, offset: number, length: number): void;
  /** NOR rules: a write can only clear bits; write into erased space. */
  partWrite(label: string, offset: number, data: Bytes): void;
  /** A read-only view of memory-mapped flash. Does not count against the JS heap on the device. */
  partMap(label: string, offset: number, length: number): Bytes;

  // --- firmware OTA slots ---------------------------------------------------------------------------
  /** The inactive firmware slot, to be erased and written through the part* calls by its label. */
  otaNextSlot(): PartitionInfo;
  /** Checks the firmware image written in `label` (ESP image header, checksum, hash). Returns null when valid, else the reason. */
  otaValidate(label: string, size: number): string | null;
  /** Validates again, then boots `label` on the next restart. Returns null on success, else the reason. */
  otaSetBoot(label: string): string | null;
  otaRunning(): OtaSlotInfo;
  /** Ends probation of a pending-verify image: it stays. */
  otaMarkValid(): void;
  /** Marks the running image invalid and restarts into the previous one. Does not return on the device. */
  otaRollback(): void;

  // --- crypto (mbedTLS on the device) ---------------------------------------------------------------
  sha256Begin(): number;
  sha256Update(ctx: number, data: Bytes | string): void;
  /** Returns the 32-byte digest and frees the context. */
  sha256Finish(ctx: number): Bytes;
  /** ECDSA P-256 over a SHA-256 digest. `publicKey` is SPKI DER, `signature` DER. */
  ecdsaP256Verify(publicKey: Bytes, digest: Bytes, signature: Bytes): boolean;

  // --- system ---------------------------------------------------------------------------------------
  deviceId(): string;
  info(): SystemInfo;
  resetReason(): string;
  heapStats(): HeapStats;
  /** Restarts the board (the simulated board reloads the bundle, keeping settings and flash). */
  restart(): void;
  /**
   * Called when a callback throws or a Promise rejection is unhandled, before the runtime applies its
   * restart policy. The app uses it to publish the error while it still can.
   */
  onFault(cb: (kind: 'exception' | 'rejection', message: string, stack: string) => void): void;
}

declare global {
  // eslint-disable-next-line no-var
  var native: Native;
}
