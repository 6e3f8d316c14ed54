import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowSampler } from '../../host/meters/flow.ts';
import { csvLine, messageRow, MESSAGE_COLUMNS } from '../../host/collect/csv-format.ts';
import { repoRoot } from '../../host/cli/paths.ts';

/** A collect-format CSV of the flow's default schedule (sag, swell, frequency excursion every 60 ticks). */
function writeCollected(dir: string, ticks: number): void {
  const tick = flowSampler({ meters: ['m1', 'm2'], seed: 2, t0: 1_767_225_600_000, intervalMs: 1000 });
  let out = csvLine(MESSAGE_COLUMNS);
  for (let k = 0; k < ticks; k++)
    for (const m of tick()) {
      const b = JSON.parse(m.payload) as { register: number; raw: number; ts: number };
      out += messageRow({ meter: m.topic.split('/')[1]!, register: b.register, raw: String(b.raw), ts: String(b.ts) }, m.topic, 0);
    }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'mqtt_all_messages_20260101_000000.csv'), out);
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'bin/jerrywatt.js'), 'retrain', ...args], { encoding: 'utf8', cwd: repoRoot() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('jerrywatt retrain', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jw-retrain-'));
    writeCollected(join(dir, 'raw'), 240);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('with no current model, exports v1; run again on the same data, the new model is not better and nothing changes', () => {
    const current = join(dir, 'models', 'model.bin');
    const first = cli(['--data', join(dir, 'raw'), '--current', current, '--trees', '5', '--max-depth', '6', '--json']);
    assert.equal(first.status, 0, first.stderr);
    const s1 = JSON.parse(first.stdout);
    assert.equal(s1.better, true);
    assert.equal(s1.candidate.version, 1);
    assert.ok(existsSync(current) && existsSync(join(dir, 'models', 'model.h')));
    assert.ok(s1.candidate.score > 0.9, `F1 ${s1.candidate.score}`);
    const bytes = readFileSync(current);
    const again = cli(['--data', join(dir, 'raw'), '--current', current, '--trees', '5', '--max-depth', '6', '--json']);
    assert.equal(again.status, 0, again.stderr);
    const s2 = JSON.parse(again.stdout);
    assert.equal(s2.better, false, 'the same training on the same data is not better than itself');
    assert.equal(s2.current.version, 1);
    assert.equal(s2.current.score, s2.candidate.score);
    assert.deepEqual(readFileSync(current), bytes, 'current model untouched');
    assert.match(again.stderr, /keep: the new model is not better/);
  });

  it('refuses bad options with a clear message', () => {
    const r = cli(['--data', join(dir, 'raw'), '--current', join(dir, 'x.bin'), '--metric', 'vibes']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--metric must be one of f1, macroF1, accuracy/);
    const p = cli(['--data', join(dir, 'raw'), '--current', join(dir, 'x.bin'), '--publish']);
    assert.equal(p.status, 2);
    assert.match(p.stderr, /--publish needs --key/);
    const none = cli(['--data', join(dir, 'nothing-here'), '--current', join(dir, 'x.bin')]);
    assert.notEqual(none.status, 0);
    assert.match(none.stderr, /no such file or directory/);
  });
});
