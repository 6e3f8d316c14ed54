import type { Native, WifiEvent } from '../../../bindings/native.js';
import { NATIVE_LIMITS } from '../../../bindings/contract.ts';
import { checkRange, checkType, utf8Bytes, type BoardContext } from './context.ts';

/** Wi-Fi station: associates after a delay when the network is up; reports drops with reason 8 (ASSOC_LEAVE) and failures with 201 (NO_AP_FOUND). */
export function wifiNative(ctx: BoardContext): Pick<Native, 'wifiConnect' | 'wifiOn' | 'wifiStatus'> {
  let listener: ((e: WifiEvent) => void) | null = null;
  let status: 'idle' | 'connecting' | 'connected' = 'idle';
  let pending: unknown = null;
  const emit = (e: WifiEvent) => {
    if (listener) ctx.invoke(listener, e);
  };
  const onDown = () => {
    if (status === 'connected') {
      status = 'idle';
      emit({ event: 'disconnected', reason: 8 });
    }
  };
  ctx.network.on('down', onDown);
  ctx.disposers.push(() => {
    ctx.network.off('down', onDown);
    if (pending !== null) ctx.clock.clearTimer(pending);
  });
  return {
    wifiConnect(ssid, password) {
      checkType(typeof ssid === 'string' && typeof password === 'string', 'wifiConnect', 'ssid and password must be strings');
      checkRange(utf8Bytes(ssid) <= NATIVE_LIMITS.ssidBytes && utf8Bytes(password) <= NATIVE_LIMITS.wifiPasswordBytes, 'wifiConnect', 'ssid over 32 bytes or password over 64');
      if (pending !== null) ctx.clock.clearTimer(pending);
      status = 'connecting';
      pending = ctx.clock.setTimer(ctx.network.connectDelayMs, () => {
        pending = null;
        if (!ctx.alive) return;
        if (ctx.network.up) {
          status = 'connected';
          emit({ event: 'got_ip', ip: ctx.network.ip });
        } else {
          status = 'idle';
          emit({ event: 'disconnected', reason: 201 });
        }
      });
    },
    wifiOn(cb) {
      checkType(typeof cb === 'function', 'wifiOn', 'cb must be a function');
      listener = cb;
    },
    wifiStatus: () => status,
  };
}
