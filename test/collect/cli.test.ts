import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { allRows, reading, until } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/jerrywatt.js', import.meta.url));

describe('collect: the CLI', function () {
  this.timeout(30_000);
  let broker: EmbeddedBroker;
  let dir: string;
  before(async () => {
    broker = await startEmbeddedBroker();
    dir = mkdtempSync(join(tmpdir(), 'jw-collect-cli-'));
  });
  after(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes what arrives, and on SIGINT closes the files, writes the counts, prints the totals and exits 0', async () => {
    const child = spawn(process.execPath, [BIN, 'collect', '--broker', broker.url, '--out', dir, '--client-id', 'cli-test', '--stats-sec', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await until(() => /subscribed to esp\/\+\/modbus/.test(stderr), () => `collector start: ${stderr}`, 20_000);
    const pub = await mqtt.connectAsync(broker.url);
    for (let i = 0; i < 40; i++) {
      const r = reading(i);
      await pub.publishAsync(r.topic, r.payload, { qos: 1 });
    }
    await pub.publishAsync('esp/m9/modbus', 'garbage', { qos: 1 });
    await pub.endAsync();
    await until(() => allRows(dir).length === 40, () => `rows ${allRows(dir).length}/40`);
    assert.equal(readdirSync(dir).some((f) => f.startsWith('mqtt_register_counts_')), false, 'counts are written when the set closes');
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /bad payload on esp\/m9\/modbus: malformed/);
    assert.match(stderr, /stopped; received 41, written 40, duplicates 0, bad 1 \(malformed 1\)/);
    const counts = readdirSync(dir).filter((f) => f.startsWith('mqtt_register_counts_'));
    assert.equal(counts.length, 1);
    const lines = readFileSync(join(dir, counts[0]!), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'meter,Start register,Count');
    assert.equal(lines.slice(1).reduce((s, l) => s + Number(l.split(',')[2]), 0), 40);
  });

  it('says "subscribed to" only once the broker acknowledged the subscription (SUBACK), not at CONNECT', async () => {
    const held = await startEmbeddedBroker();
    let subscribes = 0;
    let release: () => void = () => {};
    // The broker holds each SUBACK until the test releases it.
    held.aedes.authorizeSubscribe = (_client, sub, callback) => {
      subscribes++;
      release = () => callback(null, sub);
    };
    const out = mkdtempSync(join(tmpdir(), 'jw-collect-suback-'));
    const start = () => {
      const child = spawn(process.execPath, [BIN, 'collect', '--broker', held.url, '--out', out, '--client-id', 'suback-test', '--stats-sec', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
      const run = { child, stderr: '', closed: new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code))) };
      child.stderr.setEncoding('utf8').on('data', (d: string) => (run.stderr += d));
      return run;
    };
    const first = start();
    const second = { child: null as ReturnType<typeof start>['child'] | null };
    try {
      // SUBACK never comes: killed after its SUBSCRIBE reached the broker, the whole of its stderr (read to the
      // pipe's close) has no "subscribed to"; what it printed at CONNECT, it printed before that SUBSCRIBE.
      await until(() => subscribes === 1, () => `no SUBSCRIBE reached the broker: ${first.stderr}`, 20_000);
      first.child.kill('SIGKILL');
      await first.closed;
      assert.doesNotMatch(first.stderr, /subscribed to/, 'printed before the SUBACK');
      // The SUBACK released: the line comes.
      const run = start();
      second.child = run.child;
      await until(() => subscribes === 2, () => `no second SUBSCRIBE: ${run.stderr}`, 20_000);
      release();
      await until(() => /subscribed to esp\/\+\/modbus/.test(run.stderr), () => `after SUBACK: ${run.stderr}`);
      run.child.kill('SIGINT');
      assert.equal(await run.closed, 0, run.stderr);
    } finally {
      first.child.kill('SIGKILL');
      second.child?.kill('SIGKILL');
      await held.close();
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses bad --registers with a clear error', async () => {
    const child = spawn(process.execPath, [BIN, 'collect', '--registers', '1006,x'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /--registers: expected comma-separated register numbers/);
  });

  it('refuses bad options with a clear error', async () => {
    const child = spawn(process.execPath, [BIN, 'collect', '--rotate-mb', 'lots'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.notEqual(code, 0);
    assert.match(stderr, /--rotate-mb: expected a number/);
  });
});
