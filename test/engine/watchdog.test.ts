/**
 * The runtime's watchdog on the real engine: a callback that never returns is stopped with a named error and a
 * restart; a clock that reads 0 when the app starts (a manual clock, or a chip's first millisecond) is no reason to
 * stop anything.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDevice, type BuildResult } from '../../build/bundle.ts';
import { requireEngine } from './engine-env.ts';
import { runtime } from './engine-fixture.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the watchdog on the real engine', function () {
  this.timeout(120_000);
  let bin: string;
  let image: BuildResult;
  const dirs: string[] = [];
  const tmp = (p: string) => {
    const d = mkdtempSync(join(tmpdir(), p));
    dirs.push(d);
    return d;
  };
  before(async function () {
    bin = runtime(requireEngine(this), 64);
    image = await buildDevice({ root: ROOT, appVersion: 1, outDir: tmp('jw-wd-build-'), entry: 'test/engine/fixtures/runaway.ts' });
  });
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const run = (env: NodeJS.ProcessEnv, args: string[], timeout: number) =>
    spawnSync(bin, ['--image', image.imagePath, ...args], { cwd: ROOT, encoding: 'utf8', timeout, env: { ...process.env, JW_HOST_DIR: tmp('jw-wd-host-'), JW_PARTITIONS: join(ROOT, 'partitions.csv'), ...env } });

  it('stops a callback that never returns, names it, and restarts', () => {
    const r = run({}, ['--run-for', '9000'], 60_000);
    const log = r.stdout + r.stderr;
    assert.match(log, /top level done 70000/);
    assert.match(log, /uncaught exception: watchdog: a callback ran longer than 5000 ms/);
    assert.match(log, /restart/);
  });

  it('does not fire at time 0 of a manual clock (the app\'s top level runs to its end)', () => {
    // Time stands still (nothing advances it): the spinning timer never fires; the run ends at the timeout.
    const r = run({ JW_CLOCK: 'manual' }, [], 4000);
    const log = r.stdout + r.stderr;
    assert.match(log, /top level done 70000/);
    assert.doesNotMatch(log, /watchdog/);
  });
});
