import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient, type IClientOptions } from 'mqtt';
import { requireMosquitto, startMosquitto, mosquittoPath, type MosquittoHandle } from '../helpers/mosquitto.ts';

function connectOnce(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    c.once('connect', () => resolve(c));
    c.once('error', (e) => {
      c.end(true);
      reject(e);
    });
  });
}

describe('test harness: mosquitto', function () {
  let broker: MosquittoHandle | undefined;
  beforeEach(function () {
    requireMosquitto(this);
  });
  afterEach(async () => {
    await broker?.stop();
    broker = undefined;
  });

  it('finds the binary', () => {
    assert.match(mosquittoPath() ?? '', /mosquitto$/);
  });

  it('starts on an ephemeral loopback port, never 1883, and stop() removes its dir and frees the port', async () => {
    broker = await startMosquitto();
    assert.notEqual(broker.port, 1883);
    assert.equal(broker.url, `mqtt://127.0.0.1:${broker.port}`);
    assert.match(readFileSync(join(broker.dir, 'mosquitto.conf'), 'utf8'), new RegExp(`^listener ${broker.port} 127\\.0\\.0\\.1$`, 'm'));
    const c = await connectOnce(broker.url);
    await c.endAsync();
    const { dir, url } = broker;
    await broker.stop();
    broker = undefined;
    assert.equal(existsSync(dir), false);
    await assert.rejects(connectOnce(url));
  });

  it('with persistence, a QoS 1 message queued for an offline persistent session survives restart() on the same port', async () => {
    broker = await startMosquitto({ persistence: true });
    const port = broker.port;
    const sub = await connectOnce(broker.url, { clientId: 'harness-sub', clean: false });
    await sub.subscribeAsync('harness/q', { qos: 1 });
    await sub.endAsync();
    const pub = await connectOnce(broker.url);
    await pub.publishAsync('harness/q', 'kept', { qos: 1 });
    await pub.endAsync();

    await broker.restart();
    assert.equal(broker.port, port);

    const got = new Promise<string>((resolve) => {
      const c = mqtt.connect(broker!.url, { clientId: 'harness-sub', clean: false, reconnectPeriod: 0 });
      c.on('message', (_t, p) => {
        resolve(p.toString());
        c.end();
      });
    });
    assert.equal(await got, 'kept');
  });

  it('without persistence the queued message is gone after restart (so the test above can fail)', async () => {
    broker = await startMosquitto();
    const sub = await connectOnce(broker.url, { clientId: 'harness-sub2', clean: false });
    await sub.subscribeAsync('harness/q', { qos: 1 });
    await sub.endAsync();
    const pub = await connectOnce(broker.url);
    await pub.publishAsync('harness/q', 'lost', { qos: 1 });
    await pub.endAsync();
    await broker.restart();
    const c = await connectOnce(broker.url, { clientId: 'harness-sub2', clean: false });
    const got: string[] = [];
    c.on('message', (_t, p) => got.push(p.toString()));
    // Round trip on a fresh topic: anything queued would have arrived before this message does.
    await c.subscribeAsync('harness/probe', { qos: 1 });
    const probe = new Promise<void>((resolve) => c.on('message', (t) => t === 'harness/probe' && resolve()));
    await c.publishAsync('harness/probe', 'x', { qos: 1 });
    await probe;
    await c.endAsync();
    assert.deepEqual(got, ['x']);
  });

  it('users: right password connects, wrong password and anonymous are refused', async () => {
    broker = await startMosquitto({ users: { alice: 's3cret' } });
    const ok = await connectOnce(broker.url, { username: 'alice', password: 's3cret' });
    await ok.endAsync();
    await assert.rejects(connectOnce(broker.url, { username: 'alice', password: 'nope' }), /Not authorized|Bad username|code/i);
    await assert.rejects(connectOnce(broker.url), /Not authorized|code/i);
  });

  it('tls: mqtts with the test CA connects; without the CA it is refused', async () => {
    broker = await startMosquitto({ tls: true });
    assert.match(broker.url, /^mqtts:\/\/127\.0\.0\.1:\d+$/);
    assert.match(broker.caPem ?? '', /BEGIN CERTIFICATE/);
    const ok = await connectOnce(broker.url, { ca: broker.caPem });
    await ok.endAsync();
    await assert.rejects(connectOnce(broker.url, { rejectUnauthorized: true }));
  });
});
