/**
 * Every CLI option that takes a device, group or meter id (or a topic prefix) refuses wildcards, separators and
 * empty ids: run as a user runs it, it exits 2 with one clear line on stderr, no stack trace, and never waits for
 * a broker (none is running at the URL given).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot as repoRoot } from '../../host/paths.ts';

const BIN = join(repoRoot(), 'bin/jerrywatt.js');
/** A port nothing listens on: a command that got as far as connecting would fail differently (or hang). */
const DEAD = 'mqtt://127.0.0.1:9';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: repoRoot(), env: { ...process.env, CI: process.env.CI ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const kill = setTimeout(() => p.kill('SIGKILL'), 15_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

const publish = ['ota', 'publish', '--kind', 'app', '--file', 'no-such.img', '--version', '2', '--key', 'no-such.key', '--broker', DEAD, '--timeout', '1'];
const retrain = ['retrain', '--data', 'no-such-dir', '--current', 'no-such.bin', '--broker', DEAD];
/** Exits 1 (its errors all do) before it builds, binds or boots anything. */
const sim = ['sim', '--no-build', '--mqtt-port', '0', '--no-dashboard', '--state-dir', 'dist/test-no-such-sim'];

/** [command line with ID where the id goes, option named in the error, ids that are fine there]. */
const CASES: Array<[string[], string, string[]?]> = [
  [['led', 'on', '--broker', DEAD, '--timeout', '1000', '--device', 'ID'], '--device'],
  [[...publish, '--device', 'ID'], '--device'],
  [[...publish, '--group', 'ID'], '--group'],
  [[...publish, '--group', 'g1', '--expect', 'dev1,ID'], '--expect', ['']], // `dev1,` is dev1
  [[...publish, '--group', 'g1', '--expect', 'ID'], '--expect'],
  [['flash', '--dry-run', '--device-id', 'ID'], '--device-id'],
  [['flash', '--dry-run', '--group', 'ID'], '--group'],
  [['flash', '--dry-run', '--set', 'deviceId=ID'], 'device id'],
  [['flash', '--dry-run', '--set', 'meters=m1,ID'], 'meter id', ['']], // an empty meters setting watches none
  [[...retrain, '--device', 'ID'], '--device'],
  [[...retrain, '--publish', '--key', 'k', '--group', 'ID'], '--group'],
  [[...sim, '--set', 'group=ID'], 'group id', ['']], // an empty group is none
  [[...sim, '--set', 'meters=ID'], 'meter id', ['']],
];
const PREFIX_CASES: Array<[string[], string]> = [
  [['led', 'on', '--broker', DEAD, '--device', 'dev1', '--prefix', 'ID'], '--prefix'],
  [[...publish, '--device', 'dev1', '--prefix', 'ID'], '--prefix'],
  [['ota', 'status', '--broker', DEAD, '--prefix', 'ID'], '--prefix'],
  [[...retrain, '--prefix', 'ID'], '--prefix'],
  [['flash', '--dry-run', '--set', 'topicPrefix=ID'], 'topic prefix'],
  [[...sim, '--set', 'topicPrefix=ID'], 'topic prefix'],
  [['dashboard', '--port', '0', '--prefix', 'ID'], '--prefix'],
];
const BAD = ['', '+', '#', 'a/b'];
/** More shapes, on the two options that name a single device. */
const MORE_BAD = ['dev+', 'x'.repeat(33), '-h', '\x1b[31mx'];

async function pool<T>(items: T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: n }, async () => {
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) await f(t);
  }));
}

describe('every CLI command refuses wildcard and empty ids (runs the CLI)', function () {
  this.timeout(180_000);

  const check = async (cases: Array<[string[], string, string[]?]>, bad: string[]) => {
    const runs: Array<{ args: string[]; option: string; id: string }> = [];
    for (const [args, option, fine] of cases) for (const id of bad) if (!fine?.includes(id)) runs.push({ args: args.map((a) => a.replace('ID', id)), option, id });
    const failures: string[] = [];
    await pool(runs, 4, async ({ args, option, id }) => {
      const r = await run(args);
      const line = `jerrywatt ${args.map((a) => JSON.stringify(a)).join(' ')}`;
      if (r.code !== (args[0] === 'sim' ? 1 : 2)) failures.push(`${line}: exit ${r.code}, stderr ${JSON.stringify(r.stderr)}`);
      else if (!r.stderr.includes(option)) failures.push(`${line}: stderr does not name ${option}: ${JSON.stringify(r.stderr)}`);
      else if (/\n\s+at /.test(r.stderr)) failures.push(`${line}: stack trace on stderr`);
      else if (/[\x00-\x09\x0b-\x1f\x7f-\x9f]/.test(r.stderr)) failures.push(`${line}: raw control characters on stderr`);
    });
    assert.deepEqual(failures, []);
    process.stdout.write(`      ${runs.length} command lines refused (exit 2, sim 1; one clear line on stderr)\n`);
  };

  it('device, group and meter ids: led, ota publish (--device, --group, --expect), flash (--device-id, --group, --set), retrain, sim --set', () => check(CASES, BAD));
  it('more shapes (a wildcard inside, overlong, option-like, an escape code): led --device, flash --device-id', () => check([CASES[0]!, CASES[5]!], MORE_BAD));
  it('topic prefixes: led, ota publish, ota status, retrain, flash and sim --set topicPrefix, dashboard', () => check(PREFIX_CASES, ['', '+', 'esp/#', 'a//b']));
  it('the control case: a valid id gets past the check (and fails later, for another reason)', async () => {
    const r = await run([...publish, '--device', 'dev1']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cannot read --file no-such\.img/);
  });
});
