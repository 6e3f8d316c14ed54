/**
 * The verification step on the real simulated board (SimBoard running dist/device/app.js): it holds SHA-256
 * contexts, of which the device has only 4 (the simulated board counts them the same way). An update that stops
 * while it verifies (here: superseded by a higher version) must give them back, or after a few such stops the
 * signature check of the next offer cannot get a context and the app faults.
 */
import assert from 'node:assert/strict';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { publishUpdate, type PublishResult } from '../../host/ota/publisher.ts';
import { makeTestFirmwareImage } from '../../host/ota/firmware-image.ts';
import { eventually, type Observer } from '../spine/util.ts';
import { SimDevice, assertEndsWell, keyPair, offerFor, statusObserver } from './sim-harness.ts';

describe('OTA verification on the simulated board (aedes, real bundle)', function () {
  this.timeout(30000);
  let broker: EmbeddedBroker;
  let obs: Observer;
  const keys = keyPair();
  const devices: SimDevice[] = [];

  beforeEach(async () => {
    broker = await startEmbeddedBroker();
    obs = await statusObserver(broker.url);
  });
  afterEach(async () => {
    for (const d of devices.splice(0)) d.stop();
    await obs.close();
    await broker.close();
  });

  it('superseded during verification 5 times (more than the 4 SHA-256 contexts): the next update still verifies and is accepted', async () => {
    const d = new SimDevice('dev1', { brokerUrl: broker.url, pubDer: keys.pubDer });
    devices.push(d);
    // Stop the board's clock the moment it starts verifying (the last frame arrives by MQTT, outside the clock, and
    // saves the 'verify' phase first): its hash steps wait, while the next offer still reaches it.
    const state = d.board.state;
    const set = state.set.bind(state);
    state.set = (key, value) => {
      if (key === 'otaProg' && value.t === 'str' && value.v.startsWith('verify,')) d.hold = true;
      return set(key, value);
    };
    d.boot();
    const runs: Array<{ version: number; stop: AbortController; result: Promise<PublishResult> }> = [];
    const publish = (version: number, image: Buffer) => {
      const stop = new AbortController();
      const { manifest, offer } = offerFor({ kind: 'firmware', version, image, target: { device: 'dev1' } }, keys.priv);
      runs.push({ version, stop, result: publishUpdate({ url: broker.url, offer, manifest, image, timeoutMs: 20000, signal: stop.signal }) });
    };
    const statusOf = (version: number) => obs.on('esp/dev1/ota/status').find((m) => m.json?.version === version && /offered|downloading/.test(m.json.state));
    const supersedes = 5;
    publish(2, makeTestFirmwareImage(64 * 1024, 2));
    for (let v = 2; v < 2 + supersedes; v++) {
      await eventually(() => d.hold, `version ${v} verifying`, { rounds: 4000 });
      publish(v + 1, makeTestFirmwareImage(64 * 1024, v + 1));
      // Taken (its signature checked with a context of its own), the old transfer abandoned mid-verification.
      await eventually(() => statusOf(v + 1), `version ${v + 1} taken over version ${v}`);
      runs[runs.length - 2]!.stop.abort();
      d.hold = false;
    }
    const last = runs[runs.length - 1]!;
    await eventually(() => d.hold, `version ${last.version} verifying`, { rounds: 4000 });
    d.hold = false;
    const r = await last.result;
    assert.equal(r.devices.get('dev1')?.state, 'accepted', JSON.stringify(r.devices.get('dev1')));
    for (const run of runs.slice(0, -1)) assert.notEqual((await run.result).devices.get('dev1')?.state, 'accepted', `version ${run.version} was superseded`);
    assert.equal(d.board.faults, 0, 'no fault');
    await assertEndsWell(d, obs, broker.url, 'firmware', makeTestFirmwareImage(64 * 1024, last.version), 'new');
    assert.equal(d.board.state.get('otaSeqFw')?.v, last.version);
  });
});
