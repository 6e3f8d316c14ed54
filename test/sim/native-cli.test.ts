/**
 * `jerrywatt sim --native` as a user runs it: the embedded broker, two devices on the real engine, a --set
 * setting, the LED command from `jerrywatt led`, and Ctrl-C. Also: --set refuses secrets on both boards.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../host/paths.ts';
import { prepareNative } from '../helpers/boards.ts';
import { eventually, Observer } from '../spine/util.ts';

const CLI = join(packageRoot(), 'bin/jerrywatt.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

describe('jerrywatt sim --set: any non-secret setting, never a secret', () => {
  for (const native of [false, true]) {
    it(`${native ? '--native: ' : ''}refuses --set wifiPass=... (secrets come from files) and an unknown name, exit 1`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'jw-set-'));
      try {
        const args = [CLI, 'sim', '--no-build', '--mqtt-port', '0', '--state-dir', join(dir, 'sim'), ...(native ? ['--native'] : [])];
        const secret = spawnSync(process.execPath, [...args, '--set', 'wifiPass=hunter2'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, JERRYSCRIPT_PATH: '' } });
        assert.equal(secret.status, 1, secret.stderr);
        assert.match(secret.stderr, /wifiPass is a secret/);
        assert.doesNotMatch(secret.stderr + secret.stdout, /hunter2.*hunter2/);
        const unknown = spawnSync(process.execPath, [...args, '--set', 'colour=red'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, JERRYSCRIPT_PATH: '' } });
        assert.equal(unknown.status, 1, unknown.stderr);
        assert.match(unknown.stderr, /--set colour=red: expected name=value/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('jerrywatt sim --native, as a user runs it', function () {
  this.timeout(60_000);
  let sim: ChildProcess | undefined;
  let out = '';
  let dir: string;
  let url: string;
  let obs: Observer | undefined;

  before(async function () {
    this.timeout(15 * 60_000);
    await prepareNative(this);
    dir = mkdtempSync(join(tmpdir(), 'jw-native-cli-'));
    const port = await freePort();
    url = `mqtt://127.0.0.1:${port}`;
    sim = spawn(process.execPath, [CLI, 'sim', '--native', '--js-heap-kb', '96', '--mqtt-port', String(port), '--state-dir', join(dir, 'sim'), '--devices', '2', '--set', 'ledPin=5', '--no-build'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    sim.stdout!.on('data', (d) => (out += d));
    sim.stderr!.on('data', (d) => (out += d));
    await eventually(() => out.includes('Ctrl-C stops'), `the sim banner\n${out}`, { rounds: 4000 });
    obs = await Observer.connect(url);
  });
  after(async () => {
    await obs?.close();
    if (sim && sim.exitCode === null) sim.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs dev1 and dev2 on the real engine, provisioned with the broker, the OTA key and --set ledPin=5', async () => {
    assert.match(out, /devices {2}dev1, dev2/);
    assert.match(out, /board {4}native: JerryScript 3\.0 \+ C bindings, 96 KB JS heap/);
    const status = await eventually(() => obs!.last('esp/dev2/status')?.json, 'dev2 online', { rounds: 4000 });
    assert.equal(status.engine, 'jerryscript-3.0.0');
    const r = spawnSync(process.execPath, [CLI, 'led', 'on', '--device', 'dev2', '--broker', url], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /dev2: LED on pin 5 is on/);
    await eventually(() => out.includes('[dev2] gpio  5 -> HIGH (LED on)'), 'the pin change printed');
  });

  it('stops cleanly on Ctrl-C', async () => {
    sim!.kill('SIGINT');
    const code = await new Promise<number | null>((r) => (sim!.exitCode !== null ? r(sim!.exitCode) : sim!.once('exit', (c) => r(c))));
    assert.equal(code, 0, out);
  });
});
