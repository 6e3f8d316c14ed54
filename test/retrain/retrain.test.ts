import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowSampler } from '../../host/meters/flow.ts';
import { csvLine, messageRow, MESSAGE_COLUMNS } from '../../host/collect/csv-format.ts';
import { packageRoot as repoRoot } from '../../host/paths.ts';

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

  /** A weak model in service (one stump), so the next retrain is better and would replace it. */
  const weakCurrent = (name: string): string => {
    const current = join(dir, name, 'model.bin');
    const r = cli(['--data', join(dir, 'raw'), '--current', current, '--trees', '1', '--max-depth', '1', '--json']);
    assert.equal(r.status, 0, r.stderr);
    return current;
  };
  const files = (d: string) => readdirSync(d).sort();

  it('a bad --key fails before anything changes: the model in service stays, no backup, no export', () => {
    const current = weakCurrent('badkey');
    const before = readFileSync(current);
    const listing = files(join(dir, 'badkey'));
    const key = join(dir, 'not-a-key.pem');
    writeFileSync(key, 'not a key\n');
    const r = cli(['--data', join(dir, 'raw'), '--current', current, '--trees', '5', '--max-depth', '6', '--publish', '--key', key, '--device', 'dev1', '--broker', 'mqtt://127.0.0.1:9', '--json']);
    assert.notEqual(r.status, 0);
    assert.deepEqual(readFileSync(current), before, 'model in service untouched');
    assert.deepEqual(files(join(dir, 'badkey')), listing, 'no file written or replaced');
    assert.match(r.stderr, /--key .*not-a-key\.pem/);
  });

  it('a failed backup of the model in service stops the run before the model is replaced', () => {
    const current = weakCurrent('nobackup');
    const before = readFileSync(current);
    mkdirSync(join(dir, 'nobackup', 'model.v1.bin')); // the backup cannot be written there
    const r = cli(['--data', join(dir, 'raw'), '--current', current, '--trees', '5', '--max-depth', '6', '--json']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /cannot back up .*model\.bin/);
    assert.deepEqual(readFileSync(current), before, 'model in service untouched');
  });

  it('--current model.json: needs --model-version unless the file carries it (retrain writes it)', () => {
    const d = join(dir, 'json');
    mkdirSync(d, { recursive: true });
    // A model.json of another tool (`jerrywatt fit`): no model version in it.
    const first = cli(['--data', join(dir, 'raw'), '--current', join(d, 'seed', 'model.bin'), '--trees', '1', '--max-depth', '1', '--json']);
    assert.equal(first.status, 0, first.stderr);
    const plain = JSON.parse(readFileSync(join(d, 'seed', 'model.json'), 'utf8'));
    assert.equal(plain.modelVersion, 1, 'retrain records the version in model.json');
    delete plain.modelVersion;
    writeFileSync(join(d, 'model.json'), JSON.stringify(plain));
    const refused = cli(['--data', join(dir, 'raw'), '--current', join(d, 'model.json'), '--trees', '5', '--max-depth', '6', '--json']);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /does not say which model version.*--model-version/);
    assert.equal(existsSync(join(d, 'model.bin')), false, 'nothing exported');
    const given = cli(['--data', join(dir, 'raw'), '--current', join(d, 'model.json'), '--model-version', '7', '--trees', '5', '--max-depth', '6', '--json']);
    assert.equal(given.status, 0, given.stderr);
    assert.equal(JSON.parse(given.stdout).candidate.version, 7);
    assert.equal(JSON.parse(readFileSync(join(d, 'model.json'), 'utf8')).modelVersion, 7);
    // Now the model.json says v7: the next version is 8 without the option, and a version not above 7 is refused.
    const low = cli(['--data', join(dir, 'raw'), '--current', join(d, 'model.json'), '--model-version', '7', '--json']);
    assert.notEqual(low.status, 0);
    assert.match(low.stderr, /not above the current model's 7/);
  });
});
