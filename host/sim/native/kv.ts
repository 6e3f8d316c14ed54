import type { KvStore, KvType, Native } from '../../../bindings/native.js';
import type { NvsStore } from '../nvs.ts';
import { NATIVE_LIMITS } from '../../../bindings/contract.ts';
import { checkType, type BoardContext } from './context.ts';

const TYPES: KvType[] = ['str', 'i32', 'blob'];

export function kvNative(ctx: BoardContext): Pick<Native, 'kvGet' | 'kvSet' | 'kvErase'> {
  const store = (s: KvStore, fn: string): NvsStore => {
    checkType(s === 'settings' || s === 'state', fn, `unknown store ${String(s)}`);
    return s === 'settings' ? ctx.settings : ctx.state;
  };
  return {
    kvGet(s, key, type) {
      const st = store(s, 'kvGet');
      checkType(typeof key === 'string', 'kvGet', 'key must be a string');
      checkType(TYPES.includes(type), 'kvGet', `unknown type ${String(type)}`);
      const v = st.get(key);
      if (!v || v.t !== type) return undefined;
      if (v.t === 'blob') return ctx.sandbox.buffer(Buffer.from(v.v, 'base64'));
      return v.v;
    },
    kvSet(s, key, value) {
      const st = store(s, 'kvSet');
      checkType(typeof key === 'string', 'kvSet', 'key must be a string');
      const isBytes = (value as unknown) instanceof ctx.sandbox.ArrayBuffer || (value as unknown) instanceof ArrayBuffer;
      checkType(typeof value === 'string' || typeof value === 'number' || isBytes, 'kvSet', 'value must be a string, a number or an ArrayBuffer');
      // The settings store belongs to the provisioning tools: the device only reads it (bindings/b_kv.c).
      if (s === 'settings') return false;
      let err: string | null;
      if (typeof value === 'string') err = st.set(key, { t: 'str', v: value });
      else if (typeof value === 'number') err = st.set(key, { t: 'i32', v: value });
      else if ((value as ArrayBuffer).byteLength > NATIVE_LIMITS.kvValueBytes) err = `blob over ${NATIVE_LIMITS.kvValueBytes} bytes`;
      else err = st.set(key, { t: 'blob', v: Buffer.from(new Uint8Array(value as ArrayBuffer)).toString('base64') });
      if (err) ctx.log('warn', `kvSet ${s}/${key}: ${err}`);
      return err === null;
    },
    kvErase(s, key) {
      const st = store(s, 'kvErase');
      checkType(typeof key === 'string', 'kvErase', 'key must be a string');
      if (s === 'state') st.erase(key);
    },
  };
}
