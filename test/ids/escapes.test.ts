/**
 * Escape codes from a peer never reach a terminal raw, end to end: `jerrywatt sim` (its device log and its
 * anomaly lines), `jerrywatt ota status` (text and --json) and `jerrywatt led`, each run as a user runs it, while
 * a peer on the broker publishes SGR colours, an OSC window-title sequence with BEL, an 8-bit CSI and a newline
 * that would forge a log line. Their stdout and stderr are pipes here, so they add no colours of their own:
 * any control character in them came from the peer.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { packageRoot as repoRoot } from '../../host/paths.ts';
import { ensureBundle } from '../spine/util.ts';

const BIN = join(repoRoot(), 'bin/jerrywatt.js');
const EVIL = '\x1b[31mRED\x1b]0;pwned\x07\u009b2J\nFAKE [dev1] info forged';
/** Any C0 control but the newline that ends lines, DEL, or C1. */
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const kill = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, out, err });
    });
  });
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('escape codes from a peer never reach a terminal raw (sim, ota status, led; end to end)', function () {
  this.timeout(60_000);
  let sim: ChildProcess;
  let simOut = '';
  let url = '';
  let peer: MqttClient;
  let dir: string;

  before(async () => {
    await ensureBundle();
    dir = mkdtempSync(join(tmpdir(), 'jw-esc-'));
    sim = spawn(process.execPath, [BIN, 'sim', '--mqtt-port', '0', '--no-build', '--meters', '1', '--state-dir', join(dir, 'sim')], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    sim.stdout!.on('data', (d) => (simOut += d));
    sim.stderr!.on('data', (d) => (simOut += d));
    await until(() => /Ctrl-C stops/.test(simOut), `the sim banner; got:\n${simOut}`);
    url = /broker\s+(mqtt:\/\/127\.0\.0\.1:\d+)/.exec(simOut)![1]!;
    peer = await mqtt.connectAsync(url, { clientId: 'evil-peer' });
  });

  after(async () => {
    await peer?.endAsync(true);
    if (sim && sim.exitCode === null) {
      const done = new Promise((r) => sim.once('close', r));
      sim.kill('SIGINT');
      await done;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('sim: an LED command and an anomaly message full of escape codes are printed escaped', async () => {
    await peer.publishAsync('esp/dev1/led/set', Buffer.from(EVIL), { qos: 1 });
    await peer.publishAsync('esp/evil/anomaly', JSON.stringify({ event: EVIL, meter: EVIL, class: EVIL }), { qos: 0 });
    await until(() => /unknown command/.test(simOut) && /\[evil\] anomaly/.test(simOut), `the device's error and the anomaly line; got:\n${simOut}`);
    assert.doesNotMatch(simOut, RAW_CONTROL, `raw control characters in the sim output:\n${JSON.stringify(simOut)}`);
    const line = simOut.split('\n').find((l) => l.includes('unknown command'))!;
    assert.ok(line.includes('\\x1b[31mRED\\x1b]0;pwned\\x07\\x9b2J\\x0aFAKE'), line);
    assert.ok(!simOut.split('\n').some((l) => l.startsWith('FAKE')), 'a peer newline forged a line');
  });

  it('ota status: a device status full of escape codes is printed escaped, as text and as JSON', async () => {
    await peer.publishAsync('esp/evil1/ota/status', JSON.stringify({ state: EVIL, kind: EVIL, version: EVIL, reason: EVIL, total: 2, done: EVIL }), { qos: 1, retain: true });
    await peer.publishAsync('esp/evil2/ota/status', Buffer.from(EVIL), { qos: 1, retain: true });
    for (const json of [false, true]) {
      const r = await cli(['ota', 'status', '--broker', url, '--wait', '500', ...(json ? ['--json'] : [])]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /evil1/);
      assert.match(r.out, /evil2/);
      assert.doesNotMatch(r.out + r.err, RAW_CONTROL, JSON.stringify(r.out));
      if (json) for (const l of r.out.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(l), 'still JSON lines');
      else assert.ok(r.out.includes('\\x1b]0;pwned\\x07'), r.out);
    }
  });

  it('led: a device that answers with escape codes gets them printed escaped', async () => {
    // A fake device: answers every command on its topic with a report (and an error) full of escape codes.
    const fake = await mqtt.connectAsync(url, { clientId: 'evil-device' });
    try {
      await fake.subscribeAsync('esp/evil3/led/set', { qos: 1 });
      fake.on('message', (_t, payload) => {
        const id = (JSON.parse(payload.toString()) as { id: string }).id;
        void fake.publishAsync('esp/evil3/error', JSON.stringify({ error: EVIL, topic: 'esp/evil3/led/set' }), { qos: 1 });
        void fake.publishAsync('esp/evil3/led/state', JSON.stringify({ id, pin: EVIL, state: EVIL, blinking: false }), { qos: 1 });
      });
      const r = await cli(['led', 'on', '--device', 'evil3', '--broker', url, '--timeout', '5000']);
      assert.match(r.err, /evil3: error: \\x1b\[31mRED/, r.err);
      assert.doesNotMatch(r.out + r.err, RAW_CONTROL, JSON.stringify(r.out + r.err));
    } finally {
      await fake.endAsync(true);
    }
  });
});
