/** What every area of the simulated `native` shares: the board's state for one boot. */
import type { LogLevel, NativeErrorCode } from '../../../bindings/native.js';
import type { Clock } from '../clock.ts';
import type { NorFlash } from '../flash.ts';
import type { NvsStore } from '../nvs.ts';
import type { Partition } from '../../partitions.ts';
import type { Sandbox } from '../sandbox.ts';
import type { OtaData } from '../otadata.ts';
import type { Network } from '../network.ts';

export interface BoardContext {
  deviceId: string;
  clock: Clock;
  /** clock.now() at this boot: millis() counts from here. */
  bootAt: number;
  sandbox: Sandbox;
  flash: NorFlash;
  partitions: Map<string, Partition>;
  settings: NvsStore;
  state: NvsStore;
  network: Network;
  otadata: OtaData;
  gpio: Map<number, { mode: string; level: 0 | 1 }>;
  resetReason: string;
  appSlot: string;
  /** False once this boot is over (restart, power cut): late callbacks and calls are dropped. */
  alive: boolean;
  log(level: LogLevel, message: string): void;
  /** Runs a JS callback; an exception becomes a fault (onFault, log, restart policy). */
  invoke(fn: (...args: any[]) => unknown, ...args: unknown[]): void;
  onGpio(pin: number, level: 0 | 1): void;
  requestRestart(reason: string): void;
  faultHandler: ((kind: 'exception' | 'rejection', message: string, stack: string) => void) | null;
  /** Run at the end of this boot (timers, sockets). */
  disposers: Array<() => void>;
}

/** Throws what the C bindings throw: a TypeError (EARG, EHANDLE) or RangeError (ERANGE, ELIMIT) carrying its code. */
export function fail(code: NativeErrorCode, fn: string, what: string): never {
  const E = code === 'ERANGE' || code === 'ELIMIT' ? RangeError : TypeError;
  const err = new E(`native.${fn}: ${what}`) as Error & { code: NativeErrorCode };
  err.code = code;
  throw err;
}

/** A programming error: an argument of the wrong type or shape. */
export function checkType(ok: boolean, fn: string, what: string): void {
  if (!ok) fail('EARG', fn, what);
}

/** A value outside the contract's limits (NATIVE_LIMITS). */
export function checkRange(ok: boolean, fn: string, what: string): void {
  if (!ok) fail('ERANGE', fn, what);
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
