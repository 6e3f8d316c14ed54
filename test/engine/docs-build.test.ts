/** docs/engine.md's by-hand engine build pastes into bash as written, and matches build/engine-config.json. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostEngineCommands } from '../../build/firmware/engine.ts';
import { requireEngine } from './engine-env.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function documentedBlock(): string {
  const md = readFileSync(join(ROOT, 'docs/engine.md'), 'utf8');
  const at = md.indexOf('## Build the host engine by hand');
  const m = /```sh\n([\s\S]*?)```/.exec(md.slice(at));
  assert.ok(at >= 0 && m, 'docs/engine.md has the by-hand build block');
  return m![1]!;
}

describe('docs/engine.md: the by-hand engine build', function () {
  this.timeout(180_000);

  it('names exactly the options of build/engine-config.json', () => {
    const words = documentedBlock().replace(/\\\n/g, ' ').split(/\s+/).filter((w) => w.startsWith('-D') || w.startsWith("'-D")).map((w) => w.replace(/^'|'$/g, ''));
    const want = hostEngineCommands('/x', 96, 'out')[0]!.filter((a) => a.startsWith('-D'));
    assert.deepEqual(words.sort(), want.sort());
  });

  it('runs in bash as pasted and produces jerry-snapshot and the engine libraries', function () {
    const jp = requireEngine(this);
    const dir = mkdtempSync(join(tmpdir(), 'jw-docbuild-'));
    try {
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', documentedBlock()], { cwd: dir, env: { ...process.env, JERRYSCRIPT_PATH: jp }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      for (const f of ['bin/jerry-snapshot', 'lib/libjerry-core.a', 'lib/libjerry-port.a']) assert.ok(existsSync(join(dir, 'dist/engine/manual', f)), f);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
