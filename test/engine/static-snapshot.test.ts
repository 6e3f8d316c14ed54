/**
 * The app image runs as a static snapshot on the real engine, in place from a READ-ONLY mapping (jw-sim mmaps the
 * image PROT_READ): what the build rewrote behaves as written, f.length of default parameters is right, an
 * Error's stack reads no stale memory, and an uncaught exception is reported and restarts the runtime cleanly.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAppImageHeader, APP_IMAGE_HEADER_BYTES } from '../../build/app-image.ts';
import { requireEngine } from './engine-env.ts';
import { runtime, staticImage } from './engine-fixture.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('static snapshot images on the real engine (64 KB heap, read-only mapped image)', function () {
  this.timeout(240_000);
  let bin: string;

  before(function () {
    const jp = requireEngine(this);
    bin = runtime(jp, 64);
  });

  it('carries the literal list sorted as the engine requires, and no line info', async () => {
    const r = await staticImage();
    const img = readFileSync(r.imagePath);
    const h = parseAppImageHeader(img);
    assert.equal(h.payloadKind, 'snapshot');
    const p = img.subarray(APP_IMAGE_HEADER_BYTES);
    assert.equal(p.toString('ascii', 0, 4), 'JWSS');
    const count = p.readUInt32LE(8);
    assert.equal(count, r.literals);
    assert.ok(count > 300, `${count} literals`);
  });

  it('runs what the build rewrote as written; a stack is safe; an uncaught exception restarts cleanly', async () => {
    const r = await staticImage('test/engine/fixtures/static-features.js');
    const host = mkdtempSync(join(tmpdir(), 'jw-static-'));
    try {
      const run = spawnSync(bin, ['--image', r.imagePath, '--run-for', '4000'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, JW_HOST_DIR: host, JW_PARTITIONS: join(ROOT, 'partitions.csv') },
      });
      const log = run.stdout + run.stderr;
      assert.equal(run.signal, null, `the runtime died by a signal:\n${log}`);
      const result = /RESULT (.*)/.exec(log);
      assert.ok(result, `no result:\n${log}`);
      assert.deepEqual(JSON.parse(result[1]!), {
        add: 44, addLength: 1, defaultLength: 1, big: 4294967295, crc: 0xedb88320, tiny: 0.001, neg: -1e18,
        re: '12,15', text: 'a literal string, Grüße', nested: '40,80,120', promiseDone: true,
      });
      const stack = /STACK (.*)/.exec(log)?.[1] ?? '';
      assert.doesNotMatch(stack, /:\d{6,}:/, `stack frames read stale line info: ${stack}`);
      assert.match(log, /uncaught exception: Error: uncaught on purpose/);
      assert.equal(run.status, 3, `a fault restarts (exit 3):\n${log}`);
    } finally {
      rmSync(host, { recursive: true, force: true });
    }
  });
});
