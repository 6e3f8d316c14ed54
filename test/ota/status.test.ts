/**
 * The retained OTA status on the real simulated board (SimBoard running dist/device/app.js): only the device's own
 * word on a signed offer may become the retained status. Anything anyone can publish on the offer topic (bytes that
 * are no offer, a bad signature) is answered once, not retained, so it cannot make the status lie, before, during
 * or after an update; and a damaged saved status (`otaLast`) does not stop the boot.
 */
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { publishUpdate, type PublishOptions } from '../../host/ota/publisher.ts';
import { packAppImage } from '../../build/app-image.ts';
import { CONTRACT_VERSION } from '../../bindings/contract.ts';
import { eventually, type Observer } from '../spine/util.ts';
import { SimDevice, otaWorld, assertEndsWell, keyPair, offerFor, retainedStatus, runnableAppImage, testModelBin, type SimDeviceOptions } from './sim-harness.ts';

describe('OTA retained status on the simulated board (aedes, real bundle)', function () {
  this.timeout(30000);
  const keys = keyPair();
  const w = otaWorld(keys.pubDer);
  const other = keyPair();


  const device = w.device;
  const publish = (kind: 'app' | 'model', version: number, image: Buffer, extra: Partial<PublishOptions> = {}) => {
    const { manifest, offer } = offerFor({ kind, version, image, target: { device: 'dev1' } }, keys.priv);
    return publishUpdate({ url: w.broker.url, offer, manifest, image, timeoutMs: 15000, ...extra });
  };

  /**
   * What anyone can publish on the device's offer topic: no offer at all, a broken manifest, and an offer of `kind`
   * (a higher version, so that it gets as far as the signature check) signed with another key.
   */
  const junk = (kind: 'app' | 'model', version: number): Array<{ bytes: Buffer; reason: RegExp }> => {
    const img = packAppImage(Buffer.from('// not used'), { contractVersion: CONTRACT_VERSION, appVersion: version, payloadKind: 'source' });
    const foreign = offerFor({ kind, version, image: img, target: { device: 'dev1' } }, other.priv).offer;
    const broken = Buffer.from('JWOF\x05\x00{"v":1xxxxxxxxxxx', 'latin1');
    return [
      { bytes: Buffer.from('hello'), reason: /not an offer/ },
      { bytes: broken, reason: /not JSON|signature/ },
      { bytes: foreign, reason: /bad signature/ },
    ];
  };
  /** Publishes each junk offer and waits for the device's answer to it (on the status topic). */
  const sendJunk = async (items: Array<{ bytes: Buffer; reason: RegExp }>) => {
    const c = await mqtt.connectAsync(w.broker.url);
    try {
      for (const j of items) {
        const before = w.obs.on('esp/dev1/ota/status').length;
        await c.publishAsync('esp/dev1/ota/offer', j.bytes, { qos: 1 });
        // (A live subscriber sees retain 0 either way, MQTT 3.1.1 3.3.1.3: the retained status is checked by the caller.)
        await eventually(() => w.obs.on('esp/dev1/ota/status').slice(before).find((m) => m.json?.state === 'rejected' && j.reason.test(m.json.reason)), `refusal ${j.reason}`);
      }
    } finally {
      await c.endAsync();
    }
  };

  it('junk on the offer topic after an update is answered, but the retained status still says accepted', async () => {
    const d = device();
    const img = await testModelBin(1);
    assert.ok((await publish('model', 1, img)).ok);
    await sendJunk(junk('model', 2));
    const st = await retainedStatus(w.broker.url, 'dev1');
    assert.deepEqual([st.state, st.kind, st.version], ['accepted', 'model', 1], JSON.stringify(st));
    await assertEndsWell(d, w.obs, w.broker.url, 'model', img, 'new');
  });

  it('junk on the offer topic during a transfer does not replace its retained status, and the transfer completes', async () => {
    const d = device();
    const img = await runnableAppImage(2, 100 * 1024);
    // Hold the transfer after 5 frames (every later data frame is lost) while the junk arrives.
    let frames = 0;
    Object.assign(w.proxy.plan, { drop: 1, match: (t: string) => t.endsWith('/ota/data') && ++frames > 5 });
    const run = publish('app', 2, img);
    await eventually(() => frames > 8, 'transfer under way', { rounds: 2000 });
    await sendJunk(junk('app', 3));
    const st = await retainedStatus(w.broker.url, 'dev1');
    assert.deepEqual([st.state, st.kind, st.version], ['downloading', 'app', 2], JSON.stringify(st));
    w.proxy.plan.drop = 0;
    assert.ok((await run).ok);
    await assertEndsWell(d, w.obs, w.broker.url, 'app', img, 'new');
  });

  it('a saved last status that is JSON but no object (null, 3, "x") reads as none: the device boots and says idle', async () => {
    for (const [i, saved] of ['null', '3', '"x"'].entries()) {
      const id = `dev${i + 1}`;
      const d = device(id, { settings: { otaLast: saved } });
      const st = await eventually(() => w.obs.last(`esp/${id}/ota/status`)?.json, `${id} status`);
      assert.equal(st.state, 'idle', JSON.stringify(st));
      assert.equal(d.board.faults, 0, `${id} booted without a fault (otaLast = ${saved})`);
    }
  });
});
