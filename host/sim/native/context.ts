/** What every area of the simulated `native` shares: the board's state for one boot. */
import type { LogLevel } from '../../../bindings/native.js';
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

export function checkType(ok: boolean, fn: string, what: string): void {
  if (!ok) throw new TypeError(`native.${fn}: ${what}`);
}
