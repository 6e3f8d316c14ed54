/**
 * How the publisher offers (host/ota/publisher.ts): it sends its retained offer again with backoff until the device
 * answers, on an injectable clock; and at its end it never clears an offer that has replaced its own on the topic.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import mqtt from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { publishUpdate } from '../../host/ota/publisher.ts';
import { buildManifest, signOffer } from '../../host/ota/offer.ts';
import { ManualClock } from '../../host/sim/clock.ts';
import { until } from '../collect/helpers.ts';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const image = Buffer.alloc(600, 7);
const offerFor = (session: number) => {
  const manifest = buildManifest({ kind: 'model', version: 1, image, target: { device: 'dev1' }, chunk: 256, session });
  return { manifest, offer: signOffer(manifest, key) };
};

describe('OTA publisher: offers', function () {
  let broker: EmbeddedBroker;
  beforeEach(async () => {
    broker = await startEmbeddedBroker();
  });
  afterEach(async () => {
    await broker.close();
  });

  it('sends the offer again at 1, 2, 4, 8 s... of its clock until the device answers, then no more', async () => {
    const clock = new ManualClock();
    const sent: number[] = [];
    const ac = new AbortController();
    const { manifest, offer } = offerFor(0x1001);
    let answered = false;
    const run = publishUpdate({ url: broker.url, offer, manifest, image, clock, signal: ac.signal, onOffer: () => sent.push(clock.now()), onProgress: () => void (answered = true) });
    await until(() => sent.length === 1, () => 'first offer');
    for (const [step, n] of [[999, 1], [1, 2], [2000, 3], [4000, 4], [8000, 5]] as const) {
      clock.advance(step);
      assert.equal(sent.length, n, `at ${clock.now()} ms: ${sent.join(', ')}`);
    }
    assert.deepEqual(sent, [0, 1000, 3000, 7000, 15000]);
    // The device answers (a status naming the session): the repeats stop.
    const dev = await mqtt.connectAsync(broker.url);
    await dev.publishAsync('esp/dev1/ota/status', JSON.stringify({ state: 'downloading', session: 0x1001, done: 0 }), { qos: 1 });
    await dev.endAsync();
    await until(() => answered, () => 'the publisher took the answer');
    const after = sent.length;
    clock.advance(120_000);
    assert.equal(sent.length, after, 'no offer after the answer');
    ac.abort();
    const r = await run;
    assert.equal(r.offers, sent.length);
  });

  it('at its end, does not clear an offer another publisher put on the topic since (that would cancel it)', async () => {
    const a = offerFor(0x2001);
    const b = offerFor(0x2002);
    const ac = new AbortController();
    let sent = 0;
    let progressed = false;
    const run = publishUpdate({ url: broker.url, ...a, image, clock: new ManualClock(), signal: ac.signal, onOffer: () => sent++, onProgress: () => void (progressed = true) });
    await until(() => sent === 1, () => 'first offer');
    const other = await mqtt.connectAsync(broker.url);
    await other.publishAsync('esp/dev1/ota/offer', b.offer, { qos: 1, retain: true });
    // A status after it, from the same client, reaches the first publisher after the new offer: once it has taken
    // the status, it has seen the offer. Then stop it.
    await other.publishAsync('esp/dev1/ota/status', JSON.stringify({ state: 'downloading', session: 0x2001, done: 0 }), { qos: 1 });
    await until(() => progressed, () => 'status taken');
    const watch = await mqtt.connectAsync(broker.url);
    let marker = false;
    let retained: Buffer | null = null;
    watch.on('message', (t, p, pkt) => (t === 'jw-test/m' ? (marker = true) : pkt.retain && (retained = p)));
    ac.abort();
    await run;
    await watch.subscribeAsync(['esp/dev1/ota/offer', 'jw-test/m'], { qos: 1 });
    await watch.publishAsync('jw-test/m', 'x', { qos: 1 });
    await until(() => marker, () => 'marker');
    assert.ok(retained && b.offer.equals(retained), 'the newer offer is still retained');
    await other.endAsync();
    await watch.endAsync();
  });
});
