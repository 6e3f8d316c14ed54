import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { startCollector, type Collector } from '../../host/collect/collector.ts';
import * as fs from 'node:fs';
import { readdirSync } from 'node:fs';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { requireMosquitto, startMosquitto, type MosquittoHandle } from '../helpers/mosquitto.ts';
import { allRows, reading, until } from './helpers.ts';

async function publishRange(pub: MqttClient, from: number, to: number): Promise<void> {
  const all: Array<Promise<unknown>> = [];
  for (let i = from; i < to; i++) {
    const r = reading(i);
    all.push(pub.publishAsync(r.topic, r.payload, { qos: 1 }));
  }
  await Promise.all(all);
}

describe('collect: against mosquitto with persistence (QoS 1, persistent session)', function () {
  this.timeout(30_000);
  let broker: MosquittoHandle | undefined;
  let dir = '';
  const collectors: Collector[] = [];
  const clients: MqttClient[] = [];
  beforeEach(function () {
    requireMosquitto(this);
    dir = mkdtempSync(join(tmpdir(), 'jw-collect-'));
  });
  afterEach(async () => {
    for (const c of collectors.splice(0)) await c.stop().catch(() => {});
    for (const c of clients.splice(0)) c.end(true);
    await broker?.stop();
    broker = undefined;
    // beforeEach may have skipped the test (no mosquitto) before making the directory.
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  const collector = async (reports: string[] = []) => {
    const c = await startCollector({ url: broker!.url, topics: ['esp/+/modbus'], outDir: dir, clientId: 'collect-test', reconnectPeriodMs: 50, report: (l) => reports.push(l) });
    collectors.push(c);
    await c.connected();
    return c;
  };
  const publisher = async () => {
    const p = await mqtt.connectAsync(broker!.url, { reconnectPeriod: 50 });
    clients.push(p);
    return p;
  };

  it('N messages published -> N rows, across a broker restart and a collector restart, duplicates written once', async () => {
    broker = await startMosquitto({ persistence: true });
    const reports: string[] = [];
    // 1. Collector up: batch 1, then restart the broker while the collector is connected and catching up.
    const a = await collector(reports);
    let pub = await publisher();
    await publishRange(pub, 0, 300);
    pub.end(true);
    await broker.restart();
    pub = await publisher();
    await publishRange(pub, 300, 600);
    await until(() => a.stats.written === 600, () => `collector A wrote ${a.stats.written}/600 (${JSON.stringify(a.stats)})`);
    assert.ok(a.stats.connects >= 2, 'A reconnected after the broker restart');

    // 2. Collector away: batch 2 is queued in its session, the broker restarts (persistence), collector B resumes.
    await a.stop();
    collectors.splice(collectors.indexOf(a), 1);
    await publishRange(pub, 600, 900);
    pub.end(true);
    await broker.restart();
    const b = await collector(reports);
    pub = await publisher();
    // Duplicates: readings B already has (queued batch) and readings A wrote before (from the files).
    await publishRange(pub, 900, 1000);
    await publishRange(pub, 900, 950);
    await publishRange(pub, 550, 600);
    await until(() => b.stats.written === 400 && b.stats.duplicates === 100, () => `collector B ${JSON.stringify(b.stats)}`);
    await b.stop();
    collectors.splice(0);

    const rows = allRows(dir);
    const keys = rows.map((r) => `${r.meter}|${r['Start register']}|${r.ts}`);
    assert.equal(rows.length, 1000);
    assert.equal(new Set(keys).size, 1000, 'no duplicate rows');
    assert.deepEqual(new Set(keys), new Set(Array.from({ length: 1000 }, (_, i) => reading(i).key)));
    for (const r of rows.slice(0, 5)) assert.equal(Number(r['Raw data']) - 1000, Number(r.ts) - 1_767_225_600_000);
    assert.equal(b.stats.resumedKeys, 600, 'B seeded its de-duplication from the files A wrote');
    assert.deepEqual(reports.filter((l) => /lost our session/.test(l)), []);
  });
});

describe('collect: bad input (aedes)', function () {
  let broker: EmbeddedBroker;
  let dir: string;
  before(async () => {
    broker = await startEmbeddedBroker();
  });
  after(() => broker.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jw-collect-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('counts and reports bad payloads (rate-limited), writes the good ones, keeps running', async () => {
    const reports: string[] = [];
    let t = 0;
    const c = await startCollector({ url: broker.url, topics: ['esp/+/modbus'], outDir: dir, clientId: 'bad-test', report: (l) => reports.push(l), now: () => t, reportEveryMs: 1000 });
    await c.connected();
    const pub = await mqtt.connectAsync(broker.url);
    const junk: Array<string | Buffer> = ['nope', Buffer.from([0xde, 0xad, 0xbe, 0xef]), '[]', '{"raw":1}', '{"register":1006,"raw":"x"}', Buffer.alloc(100_000, 0x41), 'nope', 'nope'];
    for (const j of junk) await pub.publishAsync('esp/m1/modbus', j, { qos: 1 });
    t = 5000; // past the report interval: the next malformed one is reported with what was suppressed
    await pub.publishAsync('esp/m1/modbus', 'nope', { qos: 1 });
    await pub.publishAsync('esp/m1/modbus', JSON.stringify({ 'Start register': 1009, 'Raw data': '2301', ts: 5 }), { qos: 1 });
    await pub.publishAsync('esp/m1/modbus', JSON.stringify({ register: 1006, raw: 5000 }), { qos: 1 });
    await until(() => c.stats.received === junk.length + 3, () => JSON.stringify(c.stats));
    await pub.endAsync();
    await c.stop();
    assert.deepEqual(c.stats.bad, { malformed: 6, 'no-register': 1, 'bad-raw': 1, 'too-large': 1 });
    assert.equal(c.stats.written, 2);
    assert.equal(c.stats.withoutTs, 1);
    assert.equal(reports.filter((l) => /malformed/.test(l)).length, 2, reports.join('\n'));
    assert.match(reports.find((l) => /malformed/.test(l) && /more/.test(l)) ?? '', /\+3 more/);
    assert.deepEqual(allRows(dir).map((r) => [r['Start register'], r['Raw data'], r.meter, r.ts]), [
      ['1009', '2301', 'm1', '5'],
      ['1006', '5000', 'm1', ''],
    ]);
  });

  it('registers outside the register map are counted and reported (rate-limited), written to the all-messages file only', async () => {
    const reports: string[] = [];
    const t = 0;
    const c = await startCollector({ url: broker.url, topics: ['esp/+/modbus'], outDir: dir, clientId: 'unknown-reg', report: (l) => reports.push(l), now: () => t, registers: [1006] });
    await c.connected();
    const pub = await mqtt.connectAsync(broker.url);
    for (let reg = 2000; reg < 2300; reg++) await pub.publishAsync('esp/m1/modbus', JSON.stringify({ register: reg, raw: 1, ts: reg }), { qos: 1 });
    await pub.publishAsync('esp/m1/modbus', JSON.stringify({ register: 1006, raw: 1, ts: 1 }), { qos: 1 });
    await until(() => c.stats.received === 301, () => JSON.stringify(c.stats));
    await pub.endAsync();
    await c.stop();
    assert.equal(c.stats.unknownRegister, 300);
    assert.equal(c.stats.written, 301);
    assert.equal(reports.filter((l) => /not in the register map/.test(l)).length, 1, reports.join('\n'));
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('mqtt_messages_')).map((f) => f.split('_')[2]), ['1006']);
    assert.equal(allRows(dir).length, 301);
  });

  it('a write error (disk full) is reported, the reading is not acknowledged, collection stops without a crash', async () => {
    const reports: string[] = [];
    let writes = 0;
    const full = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const io = {
      openSync: (p: string, f: string) => fs.openSync(p, f),
      // Header + 3 rows (each row goes to two files) fit; then the disk is full.
      writeSync: (fd: number, d: Uint8Array) => {
        if (++writes > 8) throw full();
        return fs.writeSync(fd, d);
      },
      closeSync: (fd: number) => fs.closeSync(fd),
      writeFileSync: () => {
        throw full();
      },
    };
    let fatal: Error | null = null;
    const c = await startCollector({ url: broker.url, topics: ['esp/+/modbus'], outDir: dir, clientId: 'disk-full', report: (l) => reports.push(l), writerIo: io, onFatal: (e) => (fatal = e) });
    await c.connected();
    const pub = await mqtt.connectAsync(broker.url);
    for (let i = 0; i < 6; i++) await pub.publishAsync('esp/m1/modbus', JSON.stringify({ register: 1006, raw: i, ts: i }), { qos: 1 });
    await until(() => fatal !== null, () => `no fatal error: ${JSON.stringify(c.stats)} ${reports.join(' | ')}`);
    await pub.endAsync();
    await assert.rejects(c.stop(), /ENOSPC/, 'closing reports the counts file it could not write');
    assert.match(String(fatal), /ENOSPC/);
    assert.equal(c.stats.written, 3);
    assert.match(reports.join('\n'), /cannot write in .*ENOSPC.*stopping/);
    assert.equal(c.client.connected, false, 'the connection is closed');
    // The reading it could not write was not acknowledged: the broker still holds it for the session.
    const again = await startCollector({ url: broker.url, topics: ['esp/+/modbus'], outDir: join(dir, 'again'), clientId: 'disk-full', report: () => {} });
    await until(() => again.stats.written >= 1, () => JSON.stringify(again.stats));
    await again.stop();
    assert.ok(allRows(join(dir, 'again')).some((r) => r.ts === '3'), 'reading 3 redelivered');
  });
});
