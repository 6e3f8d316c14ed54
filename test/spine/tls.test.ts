import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { requireMosquitto, startMosquitto, type MosquittoHandle } from '../helpers/mosquitto.ts';
import { ensureBundle, eventually, makeBoard, type TestBoard } from './util.ts';

describe('device settings reach the broker: mqtts with a CA, username and password (mosquitto)', function () {
  let broker: MosquittoHandle;
  const boards: TestBoard[] = [];

  before(async function () {
    requireMosquitto(this);
    await ensureBundle();
    broker = await startMosquitto({ tls: true, users: { dev1: 's3cret', watcher: 'w' } });
  });
  after(async () => {
    for (const b of boards) b.dispose();
    await broker?.stop();
  });

  it('connects with the provisioned CA and credentials; a wrong password stays offline and keeps retrying', async () => {
    const watcher = await mqtt.connectAsync(broker.url, { ca: broker.caPem, username: 'watcher', password: 'w', reconnectPeriod: 0 });
    const seen: Array<{ topic: string; body: string }> = [];
    watcher.on('message', (topic, p) => seen.push({ topic, body: p.toString() }));
    await watcher.subscribeAsync('esp/+/status', { qos: 1 });

    const good = makeBoard('dev1', broker.url, { settings: { mqttCa: broker.caPem!, mqttUser: 'dev1', mqttPass: 's3cret' } as never });
    const bad = makeBoard('dev2', broker.url, { settings: { mqttCa: broker.caPem!, mqttUser: 'dev2', mqttPass: 'wrong' } as never });
    boards.push(good, bad);
    const closes: string[] = [];
    bad.board.on('log', (level, m) => level === 'warn' && m.startsWith('mqtt closed') && closes.push(m));
    good.board.boot();
    bad.board.boot();
    await eventually(() => seen.find((s) => s.topic === 'esp/dev1/status' && s.body.includes('"online":true')), 'dev1 online over TLS', { clocks: [good.clock, bad.clock], stepMs: 200 });
    await eventually(() => closes.length >= 3, 'dev2 refused and retrying', { clocks: [good.clock, bad.clock], stepMs: 500 });
    assert.equal(seen.some((s) => s.topic === 'esp/dev2/status'), false, 'dev2 never got in');
    await watcher.endAsync();
  });
});
