/** The OTA store (device/ota/store.ts) keeps only NVS keys and types: its defaults must be the settings table's. */
import assert from 'node:assert/strict';
import type { Native } from '../../bindings/native.js';
import { SETTINGS } from '../../device/settings/keys.ts';
import { OTA_KEYS, OtaStore } from '../../device/ota/store.ts';

function fakeNative(kv: Map<string, unknown>, logs: string[], full = false): Native {
  return {
    kvGet: (store: string, key: string, type: string) => kv.get(`${store}/${key}.${type}`),
    kvSet: (store: string, key: string, v: unknown) => {
      if (full) return false;
      kv.set(`${store}/${key}.${SETTINGS_TYPES.get(key)}`, v);
      return true;
    },
    kvErase: (store: string, key: string) => {
      for (const k of [...kv.keys()]) if (k.startsWith(`${store}/${key}.`)) kv.delete(k);
      return true;
    },
    log: (_level: string, msg: string) => void logs.push(msg),
  } as unknown as Native;
}
const SETTINGS_TYPES = new Map<string, string>(Object.values(SETTINGS).map((d) => [d.key, d.type]));

describe('OTA store (device/ota/store.ts)', () => {
  it('reads each key with the default and type of device/settings/keys.ts when nothing is stored', () => {
    const st = new OtaStore(fakeNative(new Map(), []));
    for (const k of OTA_KEYS) {
      assert.equal(SETTINGS[k].store, 'state', `${k} is runtime state`);
      assert.deepEqual(st.get(k), SETTINGS[k].default, `default of ${k}`);
    }
  });

  it('writes, reads back and erases under the table\'s NVS key; a failed write is logged with the key', () => {
    const kv = new Map<string, unknown>();
    const logs: string[] = [];
    const st = new OtaStore(fakeNative(kv, logs));
    st.set('otaProg', 'download,1,2,3,0,app_a');
    st.set('appTrial', 1);
    assert.equal(kv.get(`state/${SETTINGS.otaProg.key}.str`), 'download,1,2,3,0,app_a');
    assert.equal(st.get('otaProg'), 'download,1,2,3,0,app_a');
    assert.equal(st.get('appTrial'), 1);
    st.erase('otaProg');
    assert.equal(st.get('otaProg'), '');
    new OtaStore(fakeNative(kv, logs, true)).set('otaLast', '{}');
    assert.deepEqual(logs, [`ota: could not save ${SETTINGS.otaLast.key}`]);
  });
});
