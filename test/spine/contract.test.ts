import assert from 'node:assert/strict';
import { declaredNativeMembers } from '../contract/declared.ts';
import { SimBoard } from '../../host/sim/board.ts';
import { ensureBundle } from './util.ts';
import { ManualClock } from '../../host/sim/clock.ts';
import { SETTINGS } from '../../device/settings/keys.ts';
import { readFileSync } from 'node:fs';
import { stripMeanings } from '../../esbuild.config.mjs';

describe('the native contract on the simulated board', () => {
  it('implements every declared function, and nothing undeclared', async () => {
    await ensureBundle();
    const declared = declaredNativeMembers();
    assert.ok(declared.length >= 40, `a few dozen functions expected, parsed ${declared.length}`);
    // Capture the object the board hands to the app.
    const board = new SimBoard({ deviceId: 'c1', stateDir: null, clock: new ManualClock(), settings: { brokerUrl: 'mqtt://127.0.0.1:9' } });
    board.boot();
    const native = (board as unknown as { ctx: { sandbox: { run(c: string, f: string): unknown } } }).ctx.sandbox.run('native', 'probe') as Record<string, unknown>;
    board.close();
    const implemented = Object.keys(native).sort();
    assert.deepEqual(implemented, declared.map((d) => d.name).sort());
    for (const d of declared) assert.equal(typeof native[d.name] === 'function', d.kind === 'function', `${d.name} is a ${d.kind}`);
  });

  it('settings keys fit NVS (at most 15 characters) and are unique', () => {
    const keys = Object.values(SETTINGS).map((s) => `${s.store}/${s.key}`);
    for (const s of Object.values(SETTINGS)) assert.ok(s.key.length >= 1 && s.key.length <= 15, `${s.key} is ${s.key.length} characters`);
    assert.equal(new Set(keys).size, keys.length, 'duplicate keys');
  });

  it('the device bundle carries every settings key but none of the meanings', async () => {
    const bundle = readFileSync(await ensureBundle(), 'utf8');
    for (const s of Object.values(SETTINGS)) {
      assert.ok(bundle.includes(`"${s.key}"`), `${s.key} missing from the bundle`);
      assert.ok(!bundle.includes(s.meaning), `meaning of ${s.key} is in the bundle`);
    }
    assert.equal(stripMeanings(`a: { key: 'k', default: 1, meaning: 'it\\'s' },`), `a: { key: 'k', default: 1 },`);
  });
});
