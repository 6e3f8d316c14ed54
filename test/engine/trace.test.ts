/**
 * A crash on the real engine maps back to TypeScript with `jerrywatt trace`, in both image kinds:
 * a source image keeps line info (file:line:column of the throw), a static snapshot does not (the function and the
 * line it starts on, from the frames the runtime captures at the throw).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDevice, type BuildResult } from '../../build/bundle.ts';
import { loadMap, traceText } from '../../host/flash/trace.ts';
import { requireEngine } from './engine-env.ts';
import { runtime } from './engine-fixture.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = 'test/engine/fixtures/crash.ts';

function crashLog(bin: string, r: BuildResult): string {
  const host = mkdtempSync(join(tmpdir(), 'jw-trace-'));
  try {
    const run = spawnSync(bin, ['--image', r.imagePath, '--run-for', '3000'], {
      cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, JW_HOST_DIR: host, JW_PARTITIONS: join(ROOT, 'partitions.csv') },
    });
    assert.equal(run.signal, null, run.stdout + run.stderr);
    return run.stdout + run.stderr;
  } finally {
    rmSync(host, { recursive: true, force: true });
  }
}

describe('jerrywatt trace on the real engine, per image kind', function () {
  this.timeout(240_000);
  let bin: string;
  const dirs: string[] = [];
  before(function () {
    bin = runtime(requireEngine(this), 64);
  });
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  async function build(source: boolean): Promise<BuildResult> {
    const outDir = mkdtempSync(join(tmpdir(), 'jw-trace-build-'));
    dirs.push(outDir);
    const r = await buildDevice({ root: ROOT, appVersion: 1, outDir, entry: FIXTURE, source });
    assert.equal(r.payloadKind, source ? 'source' : 'snapshot');
    return r;
  }

  it('static snapshot: every frame names its function, traced to the TypeScript line it starts on', async () => {
    const r = await build(false);
    const log = crashLog(bin, r);
    assert.match(log, /uncaught exception: Error: pump over limit: 30/);
    const traced = traceText(log, loadMap(`${r.bundlePath}.map`));
    const frames = traced.split('\n').filter((l) => l.includes('(app.js)'));
    assert.match(frames[0]!, /^prime \S*test\/engine\/fixtures\/crash\.ts:4 \(app\.js\)$/, traced);
    assert.match(frames[1]!, /^\S+ \S*test\/engine\/fixtures\/crash\.ts:10 \(app\.js\)$/, `startPumps, whatever its minified name:\n${traced}`);
    // The minifier drops the names of function expressions: the timer callback is anonymous on the device.
    assert.equal(frames[2], 'fn ? (app.js)');
  });

  it('source image: the throw maps to its TypeScript file:line:column', async () => {
    const r = await build(true);
    const log = crashLog(bin, r);
    assert.match(log, /uncaught exception: Error: pump over limit: 30/);
    const traced = traceText(log, loadMap(`${r.bundlePath}.map`));
    assert.match(traced, /test\/engine\/fixtures\/crash\.ts:5:\d+/, traced);
    assert.match(traced, /test\/engine\/fixtures\/crash\.ts:13:\d+/, traced);
  });
});
