/** The simulated board's `native`: every function of bindings/native.d.ts, one area per file. */
import type { HeapStats, Native } from '../../../bindings/native.js';
import { CONTRACT_VERSION } from '../../../bindings/contract.ts';
import type { BoardContext } from './context.ts';
import { timersNative } from './timers.ts';
import { gpioNative } from './gpio.ts';
import { wifiNative } from './wifi.ts';
import { mqttNative } from './mqtt.ts';
import { kvNative } from './kv.ts';
import { partitionsNative } from './partitions.ts';
import { otaNative } from './ota.ts';
import { cryptoNative } from './crypto.ts';
import { systemNative } from './system.ts';

export function createNative(ctx: BoardContext, heap: () => HeapStats): Native {
  const impl: Native = {
    contractVersion: CONTRACT_VERSION,
    ...systemNative(ctx, heap),
    ...timersNative(ctx),
    ...gpioNative(ctx),
    ...wifiNative(ctx),
    ...mqttNative(ctx),
    ...kvNative(ctx),
    ...partitionsNative(ctx),
    ...otaNative(ctx),
    ...cryptoNative(ctx),
  };
  // After this boot ends, calls from stray JS do nothing (a restarted board's old app must not act).
  const guarded = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(impl)) {
    guarded[k] = typeof v === 'function' ? (...args: unknown[]) => (ctx.alive ? (v as (...a: unknown[]) => unknown)(...args) : undefined) : v;
  }
  return Object.freeze(guarded) as unknown as Native;
}
