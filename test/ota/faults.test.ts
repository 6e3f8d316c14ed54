/**
 * Every fault of the OTA issue, against aedes on loopback through the fault proxy. For each, the device ends
 * running exactly the new image (hash checked) or still the old one, says which on its status topic, and never
 * holds more than the window.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import mqtt from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { startFaultProxy, type FaultProxy } from '../../host/ota/testing/fault-proxy.ts';
import { publishUpdate, type PublishResult } from '../../host/ota/publisher.ts';
import { packAppImage } from '../../build/app-image.ts';
import { makeTestFirmwareImage } from '../../host/ota/firmware-image.ts';
import { signOffer, manifestBytes, type Manifest } from '../../host/ota/offer.ts';
import { TestDevice, keyPair, offerFor, waitFor } from './harness.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const WINDOW = 16;
const CHUNK = 4096;

function appImage(version: number, bytes = 60000, contractVersion = 1): Buffer {
  const payload = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) payload[i] = (i * 13 + version * 7) & 0xff;
  return packAppImage(payload, { contractVersion, appVersion: version, payloadKind: 'source' });
}

describe('OTA faults (aedes, fault proxy, fake board)', function () {
  this.timeout(40000);
  let broker: EmbeddedBroker;
  let proxy: FaultProxy;
  const keys = keyPair();
  const other = keyPair();
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

  const device = (id: string, extra: Record<string, unknown> = {}) => {
    const d = new TestDevice(id, { url: proxy.url, pubDer: keys.pubDer, window: WINDOW, ...extra });
    devices.push(d);
    d.boot();
    return d;
  };

  const publish = (kind: 'app' | 'firmware' | 'model', version: number, image: Buffer, extra: Partial<Parameters<typeof publishUpdate>[0]> = {}, target: { device: string } | { group: string } = { device: 'dev1' }) => {
    const { manifest, offer } = offerFor({ kind, version, image, target }, keys.priv);
    return publishUpdate({ url: broker.url, offer, manifest, image, timeoutMs: 15000, ...extra });
  };

  /** The invariant of every fault: new image exactly, or old image, and the status says which; memory bounded. */
  function assertEndsWell(d: TestDevice, r: PublishResult | null, kind: 'app' | 'firmware', image: Buffer, expect: 'new' | 'old') {
    const last = d.last!;
    if (kind === 'app') {
      const running = d.board.appSlot;
      if (expect === 'new') {
        assert.equal(last.state, 'accepted', JSON.stringify(last));
        assert.notEqual(running, 'embedded');
        assert.equal(sha(d.board.slotBytes(running, image.length)), sha(image), 'running app is byte-identical to the offer');
      } else {
        assert.match(last.state, /rejected|rolled-back|idle/, JSON.stringify(last));
        assert.equal(running, 'embedded', 'still the old app');
      }
    } else {
      const run = d.board.native().otaRunning();
      if (expect === 'new') {
        assert.equal(last.state, 'accepted', JSON.stringify(last));
        assert.equal(run.state, 'valid');
        assert.equal(sha(d.board.slotBytes(run.label, image.length)), sha(image));
      } else {
        assert.match(last.state, /rejected|rolled-back/, JSON.stringify(last));
        assert.equal(run.label, 'ota_0', 'still the old firmware');
      }
    }
    if (r) assert.equal(r.ok, expect === 'new');
    const rx = d.rx;
    const peakOut = Math.max(d.peakOutstanding, rx?.stats.peakOutstandingBytes ?? 0);
    const held = Math.max(d.peakHeld, rx?.stats.heldBytes ?? 0);
    assert.ok(peakOut <= WINDOW * CHUNK, `outstanding ${peakOut} > window`);
    assert.ok(held <= CHUNK, `held ${held} > one chunk`);
  }

  it('drops, duplicates and reorders 5 % of frames (seeded)', async () => {
    const seed = Number(process.env.OTA_SEED ?? 20240607);
    console.log(`      fault seed ${seed} (OTA_SEED=${seed} to replay)`);
    proxy.plan.seed = seed;
    Object.assign(proxy.plan, { drop: 0.05, dup: 0.05, reorder: 0.05 });
    const d = device('dev1');
    const img = appImage(2, 150000);
    const r = await publish('app', 2, img);
    assertEndsWell(d, r, 'app', img, 'new');
    assert.ok(proxy.stats.dropped > 0 && proxy.stats.duplicated > 0 && proxy.stats.reordered > 0, JSON.stringify(proxy.stats));
    assert.ok(d.rx!.stats.dups + (d.peakHeld ? 0 : 0) >= 0);
  });

  it('disconnect mid-transfer: reconnects and continues', async () => {
    const d = device('dev1');
    const img = appImage(2, 150000);
    let cut = false;
    const r = await publish('app', 2, img, {
      onProgress: (p) => {
        if (!cut && p.done > 10) ((cut = true), proxy.cutAll());
      },
    });
    assert.ok(cut);
    assertEndsWell(d, r, 'app', img, 'new');
  });

  it('device reboot mid-transfer: resumes after re-checking flash, does not start over', async () => {
    const d = device('dev1');
    const img = makeTestFirmwareImage(400 * 1024, 9);
    let writes = 0;
    d.board.hook = (op, label) => {
      if (op === 'partWrite' && label === 'ota_1' && ++writes === 60) {
        d.powerCut();
        setTimeout(() => d.boot(), 50);
      }
    };
    const r = await publish('firmware', 2, img);
    assertEndsWell(d, r, 'firmware', img, 'new');
    const total = Math.ceil(img.length / CHUNK);
    assert.ok(r.devices.get('dev1')!.framesSent < total + 40, `resumed: ${r.devices.get('dev1')!.framesSent} frames for ${total} chunks`);
  });

  it('a corrupted byte in a chunk is caught by its CRC and fetched again', async () => {
    proxy.plan.corruptNth = 3;
    const d = device('dev1');
    const img = appImage(2);
    const r = await publish('app', 2, img);
    assert.equal(proxy.stats.corrupted, 1);
    assertEndsWell(d, r, 'app', img, 'new');
  });

  it('a frame larger than allowed is dropped and fetched again', async () => {
    proxy.plan.oversizeNth = 2;
    const d = device('dev1');
    const img = appImage(2);
    const r = await publish('app', 2, img);
    assert.equal(proxy.stats.oversized, 1);
    assert.ok(d.rx!.stats.dropped >= 1 || d.boots > 1);
    assertEndsWell(d, r, 'app', img, 'new');
  });

  it('a truncated firmware image is rejected after download, before the boot switch', async () => {
    const d = device('dev1');
    const full = makeTestFirmwareImage(64 * 1024, 3);
    const img = full.subarray(0, full.length - 1000);
    const { manifest } = offerFor({ kind: 'firmware', version: 2, image: full, target: { device: 'dev1' } }, keys.priv);
    const m: Manifest = { ...manifest, size: img.length, sha256: sha(img) };
    const r = await publishUpdate({ url: broker.url, offer: signOffer(m, keys.priv), manifest: m, image: img, timeoutMs: 15000 });
    assert.match(r.devices.get('dev1')!.reason, /truncated|checksum/);
    assertEndsWell(d, r, 'firmware', full, 'old');
  });

  const refused = async (d: TestDevice, offer: Buffer, manifest: Manifest, image: Buffer, reason: RegExp) => {
    let erased = 0;
    d.board.hook = (op) => void (op === 'partErase' && erased++);
    const r = await publishUpdate({ url: broker.url, offer, manifest, image, timeoutMs: 15000 });
    assert.match(r.devices.get('dev1')!.reason, reason);
    assert.equal(erased, 0, 'nothing erased before the checks pass');
    assert.equal(r.devices.get('dev1')!.framesSent, 0);
    return r;
  };

  it('a manifest with a bad signature is rejected before anything is erased', async () => {
    const d = device('dev1');
    const img = appImage(2);
    const { manifest, offer } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev1' } }, keys.priv);
    const bad = Buffer.from(offer);
    bad[bad.length - 5]! ^= 1;
    assertEndsWell(d, await refused(d, bad, manifest, img, /bad signature/), 'app', img, 'old');
  });

  it('a manifest signed with another key is rejected', async () => {
    const d = device('dev1');
    const img = appImage(2);
    const { manifest, offer } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev1' } }, other.priv);
    assertEndsWell(d, await refused(d, offer, manifest, img, /bad signature/), 'app', img, 'old');
  });

  it('a manifest altered after signing is rejected', async () => {
    const d = device('dev1');
    const img = appImage(2);
    const { manifest, offer } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev1' } }, keys.priv);
    const mb = manifestBytes(manifest);
    const tampered = Buffer.from(offer);
    tampered.write(mb.toString('latin1').replace('"version":2', '"version":9'), 6, 'latin1');
    assertEndsWell(d, await refused(d, tampered, manifest, img, /bad signature/), 'app', img, 'old');
  });

  it('a replayed older version is rejected (anti-rollback)', async () => {
    const d = device('dev1');
    d.board.setKv('state', 'otaSeqApp', 5);
    const img = appImage(3);
    const { manifest, offer } = offerFor({ kind: 'app', version: 3, image: img, target: { device: 'dev1' } }, keys.priv);
    assertEndsWell(d, await refused(d, offer, manifest, img, /replayed older version/), 'app', img, 'old');
  });

  it('an offer for another device is rejected', async () => {
    const d = device('dev1');
    const img = appImage(2);
    const { manifest } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev2' } }, keys.priv);
    // Put dev2's offer on dev1's topic (a misrouted or malicious publish).
    const m: Manifest = { ...manifest };
    const c = await mqtt.connectAsync(broker.url);
    const statuses: any[] = [];
    await c.subscribeAsync('esp/dev1/ota/status');
    c.on('message', (_t, p) => statuses.push(JSON.parse(p.toString())));
    await c.publishAsync('esp/dev1/ota/offer', signOffer(m, keys.priv), { qos: 1, retain: true });
    await waitFor(() => statuses.some((s) => s.state === 'rejected'), 5000, 'rejection');
    assert.match(statuses.find((s) => s.state === 'rejected').reason, /wrong device/);
    await c.endAsync();
    assertEndsWell(d, null, 'app', img, 'old');
  });

  it('an image larger than the slot is rejected', async () => {
    const d = device('dev1');
    const img = appImage(2, 0x30000); // header + 192 KB > the 192 KB app slot
    const { manifest, offer } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev1' } }, keys.priv);
    assertEndsWell(d, await refused(d, offer, manifest, img, /larger than the/), 'app', img, 'old');
  });

  it('an app image built for another contract version is rejected', async () => {
    const d = device('dev1');
    const img = appImage(2, 20000, 2);
    const { manifest, offer } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev1' } }, keys.priv);
    assertEndsWell(d, await refused(d, offer, manifest, img, /native contract 2/), 'app', img, 'old');
  });

  it('a second offer during a transfer: a higher version supersedes, another kind is refused as busy', async () => {
    const d = device('dev1');
    const v2 = appImage(2, 150000);
    const v3 = appImage(3, 100000);
    const fw = makeTestFirmwareImage(64 * 1024, 1);
    const first = publish('app', 2, v2, { timeoutMs: 4000, keepOffer: false });
    await waitFor(() => (d.rx?.stats.frames ?? 0) > 3, 10000, 'first transfer under way');
    proxy.plan.drop = 1; // stall it: every data frame is lost from now on
    const busy = await publish('firmware', 2, fw, { timeoutMs: 4000 });
    assert.match(busy.devices.get('dev1')!.reason, /busy/);
    proxy.plan.drop = 0;
    const second = await publish('app', 3, v3);
    const r1 = await first;
    assert.notEqual(r1.devices.get('dev1')!.state, 'accepted');
    assertEndsWell(d, second, 'app', v3, 'new');
    assert.equal(d.board.getKv('state', 'otaSeqApp'), 3);
  });

  it('a new firmware that fails its probation is rolled back, and says so', async () => {
    const d = device('dev1', { probeSec: 1.5 });
    d.onBoot = (dev) => {
      if (dev.boots === 2) proxy.refuse = true; // the new firmware never reaches the broker
      if (dev.boots === 3) proxy.refuse = false; // back on the old one
    };
    const img = makeTestFirmwareImage(64 * 1024, 4);
    const r = await publish('firmware', 2, img);
    assert.equal(r.devices.get('dev1')!.state, 'rolled-back');
    assert.match(r.devices.get('dev1')!.reason, /MQTT not connected/);
    assertEndsWell(d, r, 'firmware', img, 'old');
    assert.equal(d.board.ota.states.ota_1, 'invalid');
  });

  describe('power cut at every phase', () => {
    const cases: Array<{ name: string; kind: 'app' | 'firmware'; at: (op: string, arg: string, n: number, d: TestDevice) => boolean; expect: 'new' | 'old' }> = [
      { name: 'during erase', kind: 'firmware', at: (op, arg, n) => op === 'partErase' && arg === 'ota_1' && n === 20, expect: 'new' },
      { name: 'mid-write', kind: 'app', at: (op, _a, n) => op === 'partWrite' && n === 7, expect: 'new' },
      { name: 'while persisting state', kind: 'app', at: (op, arg, n) => op === 'kvSet' && arg === 'otaProg' && n === 3, expect: 'new' },
      { name: 'after set-boot', kind: 'firmware', at: (op) => op === 'otaSetBoot:after', expect: 'new' },
      { name: 'during probation (firmware)', kind: 'firmware', at: (op, arg, _n, d) => op === 'kvSet' && arg === 'otaProg' && d.board.native().otaRunning().state === 'pending-verify', expect: 'old' },
      { name: 'during probation (app)', kind: 'app', at: (op, arg, _n, d) => op === 'kvSet' && arg === 'otaProg' && d.board.appSlot === 'app_a', expect: 'old' },
      { name: 'while marking valid', kind: 'firmware', at: (op) => op === 'otaMarkValid', expect: 'old' },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const d = device('dev1');
        const counts = new Map<string, number>();
        let cuts = 0;
        d.board.hook = (op, arg) => {
          const k = `${op}:${arg}`;
          counts.set(k, (counts.get(k) ?? 0) + 1);
          if (cuts === 0 && c.at(op, arg, counts.get(k)!, d)) {
            cuts++;
            d.powerCut();
            setTimeout(() => d.boot(), 30);
          }
        };
        const img = c.kind === 'app' ? appImage(2, 100000) : makeTestFirmwareImage(200 * 1024, 8);
        const r = await publish(c.kind, 2, img);
        assert.equal(cuts, 1, 'the power cut happened');
        assertEndsWell(d, r, c.kind, img, c.expect);
      });
    }
  });

  it('a fleet: one offer to a group, each device pulls at its pace, a dead device does not stall the others', async () => {
    const a = device('a', { group: 'g1' });
    const b = device('b', { group: 'g1' });
    const c = device('c', { group: 'g1' });
    c.board.hook = (op, _x) => {
      if (op === 'partWrite') c.powerCut(); // dies at its first chunk and never comes back
    };
    const img = appImage(2, 100000);
    const t0 = Date.now();
    const r = await publish('app', 2, img, { expect: ['a', 'b', 'c'], timeoutMs: 6000 }, { group: 'g1' });
    assert.equal(r.devices.get('a')!.state, 'accepted');
    assert.equal(r.devices.get('b')!.state, 'accepted');
    assert.equal(r.devices.get('c')!.state, 'timeout');
    assert.ok(r.devices.get('a')!.finishedAt - t0 < 4000 && r.devices.get('b')!.finishedAt - t0 < 4000, 'a and b finished long before the timeout');
    assert.equal(r.ok, false);
    assertEndsWell(a, null, 'app', img, 'new');
    assertEndsWell(b, null, 'app', img, 'new');
  });
});
