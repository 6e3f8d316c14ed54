import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { startFaultProxy, type FaultProxy } from '../../host/ota/testing/fault-proxy.ts';
import { publishUpdate } from '../../host/ota/publisher.ts';
import { packAppImage } from '../../build/app-image.ts';
import { makeTestFirmwareImage } from '../../host/ota/firmware-image.ts';
import { TestDevice, keyPair, offerFor } from './harness.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export function appImage(version: number, bytes = 40000, seed = version): Buffer {
  const payload = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) payload[i] = (i * 31 + seed * 7) & 0xff;
  return packAppImage(payload, { contractVersion: 1, appVersion: version, payloadKind: 'source' });
}

describe('OTA end to end (aedes on loopback, fault proxy, fake board)', function () {
  this.timeout(30000);
  let broker: EmbeddedBroker;
  let proxy: FaultProxy;
  const keys = keyPair();
  const devices: TestDevice[] = [];

  beforeEach(async () => {
    broker = await startEmbeddedBroker();
    proxy = await startFaultProxy(broker.port);
  });
  afterEach(async () => {
    for (const d of devices.splice(0)) d.stop();
    await proxy.close();
    await broker.close();
  });

  const device = (id: string, extra = {}) => {
    const d = new TestDevice(id, { url: proxy.url, pubDer: keys.pubDer, ...extra });
    devices.push(d);
    d.boot();
    return d;
  };

  it('installs an app image: restart into the new slot, probation, accepted, byte-identical', async () => {
    const d = device('dev1');
    const img = appImage(2);
    const { manifest, offer } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev1' } }, keys.priv);
    const r = await publishUpdate({ url: broker.url, offer, manifest, image: img, timeoutMs: 20000 });
    assert.equal(r.devices.get('dev1')?.state, 'accepted', JSON.stringify(r.devices.get('dev1')));
    assert.ok(r.ok);
    assert.equal(d.board.appSlot, 'app_a'); // from the embedded app, the first slot
    assert.equal(sha(d.board.slotBytes('app_a', img.length)), sha(img));
    assert.equal(d.board.getKv('state', 'otaSeqApp'), 2);
    assert.equal(d.board.getKv('state', 'appTrial'), 0);
    assert.equal(d.last?.state, 'accepted');
    assert.ok(d.peakOutstanding <= 16 * 4096, `outstanding ${d.peakOutstanding}`);
  });

  it('installs a firmware image: set-boot, restart, probation, marked valid', async () => {
    const d = device('dev1');
    const img = makeTestFirmwareImage(300 * 1024, 5);
    const { manifest, offer } = offerFor({ kind: 'firmware', version: 3, image: img, target: { device: 'dev1' } }, keys.priv);
    const r = await publishUpdate({ url: broker.url, offer, manifest, image: img, timeoutMs: 20000 });
    assert.equal(r.devices.get('dev1')?.state, 'accepted', JSON.stringify(r.devices.get('dev1')));
    assert.deepEqual(d.board.native().otaRunning(), { label: 'ota_1', state: 'valid' });
    assert.equal(sha(d.board.slotBytes('ota_1', img.length)), sha(img));
  });

  it('installs a model into the inactive model slot and swaps it in without a restart', async () => {
    const swapped: string[] = [];
    const d = device('dev1', { onModel: (slot: string, v: number) => swapped.push(`${slot}@${v}`) });
    const img = Buffer.alloc(50000, 7);
    const { manifest, offer } = offerFor({ kind: 'model', version: 1, image: img, target: { device: 'dev1' } }, keys.priv);
    const r = await publishUpdate({ url: broker.url, offer, manifest, image: img, timeoutMs: 20000 });
    assert.equal(r.devices.get('dev1')?.state, 'accepted');
    assert.equal(d.boots, 1, 'no restart');
    assert.deepEqual(swapped, ['model_a@1']);
    assert.equal(d.board.getKv('state', 'modelSlot'), 'model_a');
    assert.equal(sha(d.board.slotBytes('model_a', img.length)), sha(img));
  });
});
