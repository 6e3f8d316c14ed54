import type { KvStore, KvType, Native } from '../../../bindings/native.js';
import type { NvsStore } from '../nvs.ts';
import { checkType, type BoardContext } from './context.ts';

const TYPES: KvType[] = ['str', 'i32', 'blob'];

export function kvNative(ctx: BoardContext): Pick<Native, 'kvGet' | 'kvSet' | 'kvErase'> {
  const store = (s: KvStore, fn: string): NvsStore => {
    checkType(s === 'settings' || s === 'state', fn, `unknown store ${String(s)}`);
    return s === 'settings' ? ctx.settings : ctx.state;
  };
  return {
    kvGet(s, key, type) {
      checkType(TYPES.includes(type), 'kvGet', `unknown type ${String(type)}`);
      const v = store(s, 'kvGet').get(key);
      if (!v || v.t !== type) return undefined;
      if (v.t === 'blob') return ctx.sandbox.buffer(Buffer.from(v.v, 'base64'));
      return v.v;
    },
    kvSet(s, key, value) {
      const st = store(s, 'kvSet');
      checkType(typeof key === 'string', 'kvSet', 'key must be a string');
      let err: string | null;
      if (typeof value === 'string') err = st.set(key, { t: 'str', v: value });
      else if (typeof value === 'number') err = st.set(key, { t: 'i32', v: value });
      else if ((value as unknown) instanceof ctx.sandbox.ArrayBuffer || (value as unknown) instanceof ArrayBuffer) err = st.set(key, { t: 'blob', v: Buffer.from(new Uint8Array(value)).toString('base64') });
      else throw new TypeError('native.kvSet: value must be a string, a number or an ArrayBuffer');
      if (err) ctx.log('warn', `kvSet ${s}/${key}: ${err}`);
      return err === null;
    },
    kvErase(s, key) {
      store(s, 'kvErase').erase(key);
    },
  };
}
