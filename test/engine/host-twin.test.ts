/** The POSIX twin's clock and reset reason: uptime from the runtime's start; a software restart is not "poweron". */
import assert from 'node:assert/strict';
import { EngineBoard } from './engine-board.ts';
import { requireEngine } from './engine-env.ts';
import { runtime, staticImage } from './engine-fixture.ts';

describe('host twin: uptime and reset reason', function () {
  this.timeout(240_000);
  let bin: string;
  before(function () {
    bin = runtime(requireEngine(this), 64);
  });

  it('counts uptime from the runtime\'s start and reports "sw" after a software restart', async () => {
    const r = await staticImage('test/engine/fixtures/restart-once.js');
    const b = new EngineBoard({ bin, image: r.imagePath, settings: { deviceId: 'twin1' } });
    try {
      b.start();
      for (let i = 0; i < 400 && !b.lines.some((l) => l.includes('BOOT sw')); i++) await new Promise((res) => setTimeout(res, 10));
      const boots = b.lines.filter((l) => l.includes('BOOT ')).map((l) => /BOOT (\w+) (\d+)/.exec(l)!);
      assert.deepEqual(boots.map((m) => m[1]), ['poweron', 'sw'], b.log());
      for (const m of boots) assert.ok(Number(m[2]) < 5000, `uptime at boot ${m[2]} ms: must count from the runtime's start`);
    } finally {
      await b.dispose();
    }
  });

  it('a manual clock (JW_CLOCK=manual) moves only when told', async () => {
    const r = await staticImage('test/engine/fixtures/restart-once.js');
    const b = new EngineBoard({ bin, image: r.imagePath, settings: { deviceId: 'twin2' }, env: { JW_CLOCK: 'manual', JW_RESET_REASON: 'ext' } });
    try {
      b.start();
      for (let i = 0; i < 400 && !b.lines.some((l) => l.includes('BOOT ')); i++) await new Promise((res) => setTimeout(res, 10));
      assert.match(b.log(), /BOOT ext 0\b/);
    } finally {
      await b.dispose();
    }
  });
});
