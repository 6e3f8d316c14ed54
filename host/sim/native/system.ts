import type { HeapStats, Native, SystemInfo } from '../../../bindings/native.js';
import { CONTRACT_VERSION } from '../../../bindings/contract.ts';
import { engineConfigHash } from '../../app-image.ts';
import { checkType, type BoardContext } from './context.ts';

export const SIM_FIRMWARE_VERSION = 'sim-0.1.0';
export const SIM_JS_HEAP_BYTES = 96 * 1024;

/**
 * V8 cannot tell one context's heap apart from another's at run time, so the board reports the JS heap (and the
 * native heap, which it does not have) as unknown (NaN, null in JSON) unless a test injects figures; `npm run
 * bench` measures the context instead. The native board (host/native) reports the engine's own figures.
 */
export function unknownHeap(): HeapStats {
  // Nor is there a native heap to report: the board runs in Node's. Unknown, not invented.
  return { jsSize: SIM_JS_HEAP_BYTES, jsUsed: NaN, jsPeak: NaN, nativeFree: NaN, nativeMinFree: NaN };
}

export function systemNative(ctx: BoardContext, heap: () => HeapStats): Pick<Native, 'deviceId' | 'info' | 'resetReason' | 'heapStats' | 'restart' | 'onFault' | 'log'> {
  const configHash = engineConfigHash();
  const obj = <T extends object>(v: T): T => Object.assign(ctx.sandbox.run('({})', 'system') as T, v);
  return {
    log(level, message) {
      checkType(typeof message === 'string', 'log', 'message must be a string');
      ctx.log(level, message);
    },
    deviceId: () => ctx.deviceId,
    info: () =>
      obj<SystemInfo>({
        firmware: `${SIM_FIRMWARE_VERSION} (${ctx.otadata.running})`,
        chip: 'esp32-sim',
        engine: 'node-sim',
        engineConfigHash: configHash,
        contractVersion: CONTRACT_VERSION,
        appSlot: ctx.appSlot,
      }),
    resetReason: () => ctx.resetReason,
    heapStats: () => obj(heap()),
    restart() {
      ctx.requestRestart('sw');
      // esp_restart() does not return: unwind the calling JS (this boot is over, so the throw is not a fault).
      throw new Error('restarting');
    },
    onFault(cb) {
      checkType(typeof cb === 'function', 'onFault', 'cb must be a function');
      ctx.faultHandler = cb;
    },
  };
}
