import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox, REMOVED_GLOBALS } from '../../host/sim/sandbox.ts';
import { SimBoard } from '../../host/sim/board.ts';
import { ManualClock } from '../../host/sim/clock.ts';
import { buildDevice, BuildError } from '../../build/bundle.ts';
import { packageRoot as repoRoot } from '../../host/paths.ts';

describe('the device sandbox looks like JerryScript 3.0', () => {
  const sb = createSandbox({ native: {} });

  for (const name of ['process', 'require', 'Buffer', 'console', 'setTimeout', 'setInterval', 'queueMicrotask', 'structuredClone', 'TextEncoder', 'TextDecoder', 'Intl', 'fetch', 'globalThis.global']) {
    it(`has no ${name}`, () => {
      assert.equal(sb.run(`typeof ${name}`, 'probe'), 'undefined');
    });
  }

  it('lacks Array.prototype.findLast and the other post-engine methods', () => {
    assert.equal(sb.run('typeof [].findLast', 'probe'), 'undefined');
    assert.equal(sb.run('typeof new Uint8Array(1).findLast', 'probe'), 'undefined');
    assert.equal(sb.run('typeof [].toSorted', 'probe'), 'undefined');
  });

  it('keeps what the engine has: Promise, Map, typed arrays, JSON, Math', () => {
    assert.equal(sb.run('typeof Promise.allSettled + typeof Map + typeof DataView + typeof JSON.parse + typeof Math.random + typeof WeakRef', 'probe'), 'functionfunctionfunctionfunctionfunctionfunction');
  });

  it('names every removed global', () => {
    for (const g of REMOVED_GLOBALS) assert.equal(sb.run(`typeof ${g}`, 'probe'), 'undefined', g);
  });

  it('a bundle touching a Node global faults on the board, is logged and restarts with backoff', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jw-sbx-'));
    const bundle = join(dir, 'bad.js');
    writeFileSync(bundle, 'native.log("info", "about to"); process.exit(1);');
    const clock = new ManualClock();
    const board = new SimBoard({ deviceId: 'sbx', stateDir: dir, bundlePath: bundle, clock, faultRestartMs: 1000 });
    const faults: string[] = [];
    board.on('fault', (_k, m) => faults.push(m));
    board.boot();
    assert.deepEqual(faults, ['process is not defined']);
    assert.equal(board.boots, 1);
    clock.advance(999);
    assert.equal(board.boots, 1, 'no restart before the backoff delay');
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
    assert.equal(board.boots, 2);
    // Second fault: the delay doubles, so there is no tight reboot loop.
    clock.advance(1999);
    await new Promise((r) => setImmediate(r));
    assert.equal(board.boots, 2);
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
    assert.equal(board.boots, 3);
    board.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a fault after more than a minute of health restarts after the first delay again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jw-sbx-'));
    const bundle = join(dir, 'late.js');
    writeFileSync(bundle, 'native.timerStart(70000, false, () => { throw new Error("late"); });');
    const clock = new ManualClock();
    const board = new SimBoard({ deviceId: 'sbx2', stateDir: dir, bundlePath: bundle, clock, faultRestartMs: 1000 });
    board.boot();
    const bootAt = async (ms: number) => {
      clock.advance(ms);
      await new Promise((r) => setImmediate(r));
      return board.boots;
    };
    assert.equal(await bootAt(70_000), 1); // fault 1
    assert.equal(await bootAt(1000), 2); // restarted after 1 s
    assert.equal(await bootAt(70_000), 2); // fault 2, 71 s after fault 1
    assert.equal(await bootAt(1000), 3, 'not 2 s: the streak was cleared by the healthy minute');
    board.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the device build refuses what the engine lacks', function () {
  this.timeout(60000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'jw-build-'));
    for (const f of ['esbuild.config.mjs', 'bindings', 'device', 'build/engine-config.json']) cpSync(join(repoRoot(), f), join(root, f), { recursive: true });
    mkdirSync(join(root, 'fixtures'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  async function buildFixture(code: string, budgetBytes?: number): Promise<string> {
    writeFileSync(join(root, 'fixtures/entry.ts'), code);
    try {
      await buildDevice({ root, appVersion: 1, entry: 'fixtures/entry.ts', outDir: join(root, 'dist'), budgetBytes });
      return 'built';
    } catch (err) {
      assert.ok(err instanceof BuildError, String(err));
      return err.message;
    }
  }

  const refused: Array<[string, string, RegExp]> = [
    ['TextEncoder', 'const e = new TextEncoder();\nnative.log("info", String(e));', /entry\.ts:1: TextEncoder/],
    ['console', 'native.log("info", "x");\nconsole.log("hi");', /entry\.ts:2: console/],
    ['setTimeout', 'setTimeout(() => native.log("info","x"), 1);', /global timers/],
    ['RegExp named groups', 'const m = /(?<year>\\d+)/.exec("2024");\nnative.log("info", String(m));', /named capture groups/],
    ['RegExp lookbehind', 'native.log("info", String(/(?<=a)b/.test("ab")));', /lookbehind/],
    ['findLast', 'native.log("info", String([1, 2].findLast((x) => x > 1)));', /findLast/],
    ['Intl', 'native.log("info", new Intl.NumberFormat().format(1));', /Intl/],
    ['Error cause', 'throw new Error("x", { cause: 1 });', /Error cause/],
    ['a Node module', 'import { readFileSync } from "node:fs";\nnative.log("info", String(readFileSync));', /Node module "node:fs" is not available/],
    ['a bare Node module', 'import os from "os";\nnative.log("info", String(os));', /Node module "os"/],
  ];
  for (const [what, code, msg] of refused) {
    it(`fails on ${what}, naming the file and line`, async () => {
      assert.match(await buildFixture(code), msg);
    });
  }

  it('builds clean code and fails above the size budget, printing the size', async () => {
    assert.equal(await buildFixture('native.log("info", "ok");'), 'built');
    assert.match(await buildFixture(`native.log("info", ${JSON.stringify('y'.repeat(2000))});`, 1000), /is \d+ bytes, over the 1000-byte budget/);
  });
});
