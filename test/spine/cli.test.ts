import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot as repoRoot } from '../../host/paths.ts';
import { ensureBundle, eventually, Observer } from './util.ts';

const CLI = join(repoRoot(), 'bin/jerrywatt.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

describe('jerrywatt sim and jerrywatt led, as a user runs them (npm start)', function () {
  this.timeout(60_000);
  let sim: ChildProcess;
  let out = '';
  let dir: string;
  let url: string;
  let obs: Observer;

  before(async () => {
    await ensureBundle();
    dir = mkdtempSync(join(tmpdir(), 'jw-cli-'));
    const port = await freePort();
    url = `mqtt://127.0.0.1:${port}`;
    sim = spawn(process.execPath, [CLI, 'sim', '--mqtt-port', String(port), '--state-dir', join(dir, 'sim'), '--devices', '2', '--meters', '1', '--meter-rate', '20', '--ws-port', '0', '--dashboard-port', '0', '--no-build'], { stdio: ['ignore', 'pipe', 'pipe'] });
    sim.stdout!.on('data', (d) => (out += d));
    sim.stderr!.on('data', (d) => (out += d));
    await eventually(() => out.includes('Ctrl-C stops'), `the sim banner\n${out}`, { rounds: 4000 });
    obs = await Observer.connect(url);
  });
  after(async () => {
    await obs?.close();
    if (sim.exitCode === null) sim.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('brings up the broker and dev1, dev2, and names the OTA dev key it made', () => {
    assert.match(out, /devices {2}dev1, dev2/);
    assert.match(out, /OTA key .*dev-ota\.pub/);
  });

  it('`jerrywatt led on --device dev1` lights it and prints its state', async () => {
    await eventually(() => obs.last('esp/dev1/status')?.json?.online, 'dev1 online', { rounds: 4000 });
    const r = spawnSync(process.execPath, [CLI, 'led', 'on', '--device', 'dev1', '--broker', url], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /dev1: LED on pin 2 is on/);
    const bad = spawnSync(process.execPath, [CLI, 'led', 'on', '--device', 'dev1', '--pin', '9', '--broker', url], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /pin 9 is not allowed/);
  });

  it('serves the dashboard and prints its URL; the page gets its broker from config.json', async () => {
    const page = /dashboard (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
    assert.ok(page, `no dashboard URL in\n${out}`);
    const html = await (await fetch(page[1]!)).text();
    assert.match(html, /<title>jerrywatt dashboard<\/title>/);
    const config = (await (await fetch(new URL('config.json', page[1]!))).json()) as { wsUrl: string; prefix: string };
    assert.match(config.wsUrl, /^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    assert.ok(out.includes(config.wsUrl), 'the banner names the WebSocket listener');
    // The page's broker really speaks MQTT over WebSocket.
    const { default: mqtt } = await import('mqtt');
    const c = await mqtt.connectAsync(config.wsUrl, { reconnectPeriod: 0 });
    await c.endAsync(true);
  });

  it('--meters: the devices detect the gateway\'s scheduled disturbances', async () => {
    const ev = await eventually(() => obs.on('esp/dev2/anomaly').find((m) => m.json?.event === 'start'), 'an anomaly event', { rounds: 8000 });
    assert.equal(ev.json.meter, 'meter1');
    assert.ok(['sag', 'swell', 'freq'].includes(ev.json.class), ev.json.class);
    assert.equal(ev.json.model, 1);
  });

  it('stops cleanly on Ctrl-C', async () => {
    sim.kill('SIGINT');
    const code = await new Promise<number | null>((r) => (sim.exitCode !== null ? r(sim.exitCode) : sim.once('exit', (c) => r(c))));
    assert.equal(code, 0, out);
  });
});
