import assert from 'node:assert/strict';
import { packAppImage, engineConfigHash } from '../../build/app-image.ts';
import { CONTRACT_VERSION } from '../../bindings/contract.ts';
import { loadApp, type LoadedApp } from '../../host/sim/app-loader.ts';
import { NvsStore } from '../../host/sim/nvs.ts';

const SLOT_BYTES = 8192;
const want = { contractVersion: CONTRACT_VERSION, engineConfigHash: engineConfigHash() };
const EMBEDDED = 'embedded app source';

/** An app-image slot as flash holds it: the image, then erased bytes. */
function slotWith(source: string, appVersion: number): Uint8Array {
  const s = new Uint8Array(SLOT_BYTES).fill(0xff);
  s.set(packAppImage(Buffer.from(source), { contractVersion: CONTRACT_VERSION, appVersion, payloadKind: 'source' }));
  return s;
}
const erased = (): Uint8Array => new Uint8Array(SLOT_BYTES).fill(0xff);

interface Board {
  state: NvsStore;
  slots: Record<string, Uint8Array>;
  boot(): LoadedApp;
}

function board(slots: Record<string, Uint8Array>): Board {
  const state = new NvsStore(null, 16 * 1024);
  return { state, slots, boot: () => loadApp(state, (label) => slots[label] ?? null, want, () => EMBEDDED) };
}

/** The state keys the loader may touch, as stored (undefined when absent). */
const bootState = (s: NvsStore) => Object.fromEntries(['appSlot', 'appPrev', 'appTrial', 'appRolled'].map((k) => [k, s.get(k)?.v]));
const setStr = (s: NvsStore, k: string, v: string) => s.set(k, { t: 'str', v });

describe('sim app loader (docs/app-boot.md)', () => {
  describe('appSlot never set (a freshly flashed board)', () => {
    it('runs a valid app_a (flash --app-only) and writes no state', () => {
      const b = board({ app_a: slotWith('app from a', 7), app_b: slotWith('app from b', 8) });
      const app = b.boot();
      assert.equal(app.slot, 'app_a');
      assert.equal(app.source, 'app from a');
      assert.equal(app.appVersion, 7);
      assert.deepEqual(app.notes, []);
      assert.deepEqual(b.state.keys(), [], 'appSlot stays absent, nothing else written');
      assert.equal(b.boot().slot, 'app_a', 'and again on the next boot');
    });

    it('skips an erased app_a silently: embedded, no notes, nothing written', () => {
      const b = board({ app_a: erased(), app_b: slotWith('app from b', 8) });
      const app = b.boot();
      assert.equal(app.slot, 'embedded');
      assert.equal(app.source, EMBEDDED);
      assert.equal(app.appVersion, null);
      assert.deepEqual(app.notes, []);
      assert.deepEqual(b.state.keys(), []);
    });

    it('notes a corrupt app_a in appRolled and runs the embedded app', () => {
      const a = slotWith('app from a', 7);
      a[130] ^= 0x01; // one payload bit (the payload starts after the 128-byte header)
      const b = board({ app_a: a });
      const app = b.boot();
      assert.equal(app.slot, 'embedded');
      assert.equal(app.source, EMBEDDED);
      assert.deepEqual(app.notes, ['app_a: payload SHA-256 mismatch']);
      assert.deepEqual(bootState(b.state), { appSlot: undefined, appPrev: undefined, appTrial: undefined, appRolled: 'app_a: payload SHA-256 mismatch' });
    });

    it('notes an app_a built for another engine configuration', () => {
      const a = erased();
      a.set(packAppImage(Buffer.from('x'), { contractVersion: CONTRACT_VERSION, appVersion: 1, payloadKind: 'source', engineConfigHash: '00'.repeat(16) }));
      const b = board({ app_a: a });
      const app = b.boot();
      assert.equal(app.slot, 'embedded');
      assert.equal(app.notes.length, 1);
      assert.match(app.notes[0]!, /^app_a: built for engine configuration 0{32}/);
    });

    it('an image in app_b alone is not enough: only app_a is tried', () => {
      const b = board({ app_a: erased(), app_b: slotWith('app from b', 8) });
      assert.equal(b.boot().slot, 'embedded');
    });
  });

  describe('appSlot set by an app OTA (rules unchanged)', () => {
    it('empty appSlot (an OTA rolled back to the embedded app) does not bring back app_a', () => {
      const b = board({ app_a: slotWith('refused app', 3) });
      setStr(b.state, 'appSlot', '');
      const app = b.boot();
      assert.equal(app.slot, 'embedded');
      assert.deepEqual(app.notes, []);
    });

    it('probation: trial 1 boots the new slot on probation, an unconfirmed one rolls back to appPrev', () => {
      const b = board({ app_a: slotWith('old', 1), app_b: slotWith('new', 2) });
      setStr(b.state, 'appSlot', 'app_b');
      setStr(b.state, 'appPrev', 'app_a');
      b.state.set('appTrial', { t: 'i32', v: 1 });
      assert.equal(b.boot().slot, 'app_b');
      assert.equal(b.state.get('appTrial')?.v, 2);
      const back = b.boot();
      assert.equal(back.slot, 'app_a');
      assert.deepEqual(back.notes, ['probation failed: app_b']);
      assert.deepEqual(bootState(b.state), { appSlot: 'app_a', appPrev: 'app_a', appTrial: 0, appRolled: 'probation failed: app_b' });
    });

    it('failed probation of the first OTA (appPrev empty) runs the embedded app, not the refused app_a', () => {
      // The OTA receiver installed into app_a while the embedded app ran: appPrev = "".
      const b = board({ app_a: slotWith('refused', 2) });
      setStr(b.state, 'appSlot', 'app_a');
      setStr(b.state, 'appPrev', '');
      b.state.set('appTrial', { t: 'i32', v: 2 });
      const app = b.boot();
      assert.equal(app.slot, 'embedded');
      assert.deepEqual(app.notes, ['probation failed: app_a']);
      assert.equal(b.boot().slot, 'embedded', 'and on every later boot');
    });

    it('invalid appSlot image: falls back to appPrev and makes it the slot to boot', () => {
      const bad = slotWith('new', 2);
      bad[0] = 0;
      const b = board({ app_a: slotWith('old', 1), app_b: bad });
      setStr(b.state, 'appSlot', 'app_b');
      setStr(b.state, 'appPrev', 'app_a');
      const app = b.boot();
      assert.equal(app.slot, 'app_a');
      assert.deepEqual(app.notes, ['app_b: bad magic: not a jerrywatt app image']);
      assert.equal(b.state.get('appSlot')?.v, 'app_a');
      assert.equal(b.state.get('appRolled')?.v, 'app_b: bad magic: not a jerrywatt app image');
    });

    it('both slots invalid: embedded, appSlot cleared', () => {
      const b = board({ app_a: erased(), app_b: erased() });
      setStr(b.state, 'appSlot', 'app_b');
      setStr(b.state, 'appPrev', 'app_a');
      const app = b.boot();
      assert.equal(app.slot, 'embedded');
      assert.equal(app.notes.length, 2);
      assert.equal(b.state.get('appSlot')?.v, '');
    });
  });
});
