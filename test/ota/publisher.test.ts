/**
 * host/ota/publisher.ts, the OTA publisher `retrain --publish` and `ota publish` use: only targeted devices count,
 * and nothing it started (client, timers) outlives it, whatever throws. (The device side is tested in test/ota.)
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { publishUpdate } from '../../host/ota/publisher.ts';
import { buildManifest, signOffer } from '../../host/ota/offer.ts';
import { writeRequest, REQUEST_MAX_BYTES } from '../../device/ota/frame.ts';
import { until } from '../collect/helpers.ts';
import { ManualClock } from '../../host/sim/clock.ts';

const SESSION = 0x1234abcd;
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const image = Buffer.alloc(600, 7); // 3 chunks of 256
const offerFor = (target: { device: string } | { group: string }) => {
  const manifest = buildManifest({ kind: 'model', version: 1, image, target, chunk: 256, session: SESSION });
  return { manifest, offer: signOffer(manifest, key) };
};

/**
 * A device stand-in: on the offer, optionally requests every chunk, then reports `final` for the session; with
 * `after`, only once a message on that topic was seen too (orders it after an intruder's status).
 */
async function fakeDevice(url: string, id: string, offerTopic: string, opts: { request: boolean; final: string; after?: string }): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { clean: true });
  let got = 0;
  let ready = !opts.after;
  let pending = false;
  const final = () => c.publish(`esp/${id}/ota/status`, JSON.stringify({ state: opts.final, session: SESSION }));
  const finishWhenReady = () => (ready ? final() : (pending = true));
  c.on('message', (topic, payload) => {
    if (topic === opts.after && !ready) {
      ready = true;
      if (pending) final();
    } else if (topic === offerTopic && payload.length) {
      if (opts.request) {
        const req = new Uint8Array(REQUEST_MAX_BYTES);
        const n = writeRequest(req, SESSION, [[0, 3]]);
        c.publish(`esp/${id}/ota/req`, Buffer.from(req.subarray(0, n)));
      } else finishWhenReady();
    } else if (topic === `esp/${id}/ota/data` && ++got === 3) finishWhenReady();
  });
  await c.subscribeAsync([offerTopic, `esp/${id}/ota/data`, ...(opts.after ? [opts.after] : [])], { qos: 1 });
  return c;
}

/** Someone else publishing a status with the session (never final) as soon as the offer appears. */
async function intruder(url: string, id: string, offerTopic: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { clean: true });
  c.on('message', (_t, p) => p.length && c.publish(`esp/${id}/ota/status`, JSON.stringify({ state: 'downloading', session: SESSION, done: 1 }), { qos: 1 }));
  await c.subscribeAsync(offerTopic, { qos: 1 });
  return c;
}

const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('OTA publisher (host)', function () {
  this.timeout(20_000);
  let broker: EmbeddedBroker;
  const clients: MqttClient[] = [];
  beforeEach(async () => {
    broker = await startEmbeddedBroker();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end(true);
    await broker.close();
  });

  it('a device offer counts only its device: another client publishing a status with the session changes nothing', async () => {
    const { manifest, offer } = offerFor({ device: 'dev1' });
    clients.push(await intruder(broker.url, 'intruder', 'esp/dev1/ota/offer'));
    clients.push(await fakeDevice(broker.url, 'dev1', 'esp/dev1/ota/offer', { request: true, final: 'accepted', after: 'esp/intruder/ota/status' }));
    // On a clock that never moves, the timeout cannot fire: finishing at all means it finished when dev1 did.
    const r = await publishUpdate({ url: broker.url, offer, manifest, image, timeoutMs: 5000, clock: new ManualClock() });
    assert.equal(r.ok, true, JSON.stringify([...r.devices.values()]));
    assert.deepEqual([...r.devices.keys()], ['dev1']);
  });

  it('a group offer counts the devices that requested chunks; a status from one that did not is ignored', async () => {
    const { manifest, offer } = offerFor({ group: 'g1' });
    clients.push(await intruder(broker.url, 'intruder', 'esp/group/g1/ota/offer'));
    clients.push(await fakeDevice(broker.url, 'a', 'esp/group/g1/ota/offer', { request: true, final: 'accepted', after: 'esp/intruder/ota/status' }));
    clients.push(await fakeDevice(broker.url, 'b', 'esp/group/g1/ota/offer', { request: true, final: 'rejected' }));
    const clock = new ManualClock();
    // The group settles once no new device has shown up for settleMs of the publisher's clock: move it when both
    // devices have answered (their statuses reach the publisher on its own client; poll its progress).
    const seen = new Set<string>();
    const run = publishUpdate({ url: broker.url, offer, manifest, image, timeoutMs: 5000, settleMs: 300, clock, onProgress: (p) => void seen.add(`${p.id}:${p.state}`) });
    await until(() => seen.has('a:accepted') && seen.has('b:rejected'), () => `statuses seen: ${[...seen].join(', ')}`);
    clock.advance(300);
    const r = await run;
    assert.deepEqual([...r.devices.keys()].sort(), ['a', 'b']);
    assert.equal(r.devices.get('a')!.state, 'accepted');
    assert.equal(r.devices.get('b')!.state, 'rejected');
    assert.equal(r.ok, false);
  });

  it('when subscribe or publish throws, the client and the timers are stopped (nothing keeps the process alive)', async () => {
    const { manifest, offer } = offerFor({ device: 'dev1' });
    await new Promise((r) => setImmediate(r)); // mocha arms this test's own timeout after its first await
    const before = timeouts();
    // '#' in the prefix makes the subscription topic invalid: subscribeAsync throws after the client connected.
    await assert.rejects(publishUpdate({ url: broker.url, prefix: 'bad#', offer, manifest, image, timeoutMs: 60_000 }), /invalid topic/i);
    await until(() => broker.aedes.connectedClients === 0, () => `${broker.aedes.connectedClients} client(s) still connected`);
    await until(() => timeouts() === before, () => `${timeouts() - before} interval(s) or timeout(s) left running`);
  });

  it('a signal stops it: unfinished devices end aborted, the retained offer is cleared', async () => {
    const { manifest, offer } = offerFor({ group: 'g2' });
    const ac = new AbortController();
    const watch = await mqtt.connectAsync(broker.url, { clean: true });
    clients.push(watch);
    watch.on('message', (_t, p) => p.length && ac.abort());
    await watch.subscribeAsync('esp/group/g2/ota/offer', { qos: 1 });
    const r = await publishUpdate({ url: broker.url, offer, manifest, image, expect: ['x'], timeoutMs: 60_000, signal: ac.signal });
    assert.equal(r.ok, false);
    assert.equal(r.devices.get('x')!.state, 'aborted');
    const late = await mqtt.connectAsync(broker.url, { clean: true });
    clients.push(late);
    // Retained messages come right after the subscription, before a message this client publishes after it.
    let retained = 0;
    let marker = false;
    late.on('message', (t, p, pkt) => (t === 'jw-test/marker' ? (marker = true) : pkt.retain && p.length && retained++));
    await late.subscribeAsync(['esp/group/g2/ota/offer', 'jw-test/marker'], { qos: 1 });
    await late.publishAsync('jw-test/marker', 'x', { qos: 1 });
    await until(() => marker, () => 'marker');
    assert.equal(retained, 0, 'no retained offer left behind');
  });
});
