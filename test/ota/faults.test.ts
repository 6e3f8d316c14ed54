/**
 * Every fault of the OTA issue, on the real simulated board (SimBoard running dist/device/app.js), against aedes
 * on loopback through the fault w.proxy. For each: the board ends running exactly the new image (SHA-256 of the
 * slot it booted, read from the simulated flash) or still the old one; its retained status says which; no boot
 * loaded an unverified image; the receiver's accounting stayed within the window bound (sim-harness.ts).
 */
import assert from 'node:assert/strict';
import { CONTRACT_VERSION } from '../../bindings/contract.ts';
import mqtt from 'mqtt';
import { startFaultProxy } from '../../host/ota/testing/fault-proxy.ts';
import { publishUpdate, type PublishOptions } from '../../host/ota/publisher.ts';
import { makeTestFirmwareImage } from '../../host/ota/firmware-image.ts';
import { signOffer, manifestBytes, type Manifest } from '../../host/ota/offer.ts';
import { eventually, type Observer } from '../spine/util.ts';
import { SimDevice, otaWorld, assertEndsWell, keyPair, offerFor, runnableAppImage, sha, type SimDeviceOptions } from './sim-harness.ts';

describe('OTA faults on the simulated board (aedes, fault w.proxy, real bundle)', function () {
  this.timeout(30000);
  const keys = keyPair();
  const w = otaWorld(keys.pubDer);
  const other = keyPair();


  const device = w.device;

  type Kind = 'app' | 'firmware' | 'model';
  const publish = (kind: Kind, version: number, image: Buffer, extra: Partial<PublishOptions> = {}, target: { device: string } | { group: string } = { device: 'dev1' }) => {
    const { manifest, offer } = offerFor({ kind, version, image, target }, keys.priv);
    return publishUpdate({ url: w.broker.url, offer, manifest, image, timeoutMs: 15000, ...extra });
  };
  const ends = (d: SimDevice, kind: Kind, image: Buffer, expect: 'new' | 'old', old = {}) => assertEndsWell(d, w.obs, w.broker.url, kind, image, expect, old);
  const erased = (d: SimDevice) => [...d.ops].filter(([k]) => k.startsWith('erase:')).reduce((n, [, v]) => n + v, 0);

  it('drops, duplicates and reorders 5 % of frames (seeded)', async () => {
    const seed = Number(process.env.OTA_SEED ?? 20240607);
    console.log(`      fault seed ${seed} (OTA_SEED=${seed} to replay)`);
    // The w.proxy draws from its generator per packet: restart it with this seed.
    await w.proxy.close();
    w.proxy = await startFaultProxy(w.broker.port, { seed, drop: 0.05, dup: 0.05, reorder: 0.05 });
    const d = device('dev1', { brokerUrl: w.proxy.url });
    const img = await runnableAppImage(2, 180 * 1024);
    const r = await publish('app', 2, img);
    await ends(d, 'app', img, 'new');
    assert.ok(r.ok);
    assert.ok(w.proxy.stats.dropped > 0 && w.proxy.stats.duplicated > 0 && w.proxy.stats.reordered > 0, JSON.stringify(w.proxy.stats));
  });

  it('disconnect mid-transfer: reconnects and continues', async () => {
    const d = device();
    const img = await runnableAppImage(2, 150 * 1024);
    let cut = false;
    const r = await publish('app', 2, img, {
      onProgress: (p) => {
        if (!cut && p.done > 10) ((cut = true), w.proxy.cutAll());
      },
    });
    assert.ok(cut);
    await ends(d, 'app', img, 'new');
    assert.ok(r.devices.get('dev1')!.framesSent < Math.ceil(img.length / 4096) + 20, 'continued, did not start over');
  });

  it('device reboot mid-transfer: resumes after re-checking flash, does not start over', async () => {
    const d = device();
    const img = makeTestFirmwareImage(400 * 1024, 9);
    let restarted = false;
    // Restart the board as the 50th data frame passes the proxy (no fault is applied: the test only counts).
    let frames = 0;
    w.proxy.plan.match = (t) => {
      if (t.endsWith('/ota/data') && ++frames === 50) ((restarted = true), void d.board.restart('sw'));
      return false;
    };
    const r = await publish('firmware', 2, img);
    assert.ok(restarted);
    await ends(d, 'firmware', img, 'new');
    const total = Math.ceil(img.length / 4096);
    assert.ok(r.devices.get('dev1')!.framesSent < total + 40, `resumed: ${r.devices.get('dev1')!.framesSent} frames for ${total} chunks`);
    assert.ok(d.boots.length >= 3);
    // The resume re-checks the saved chunks of the firmware slot through partRead, a chunk at a time.
    assert.ok((d.largestRead.get('ota_1') ?? 0) <= 4096, `largest read of ota_1: ${d.largestRead.get('ota_1')} bytes`);
  });

  it('a corrupted byte in a chunk is caught by its CRC and fetched again', async () => {
    w.proxy.plan.corruptNth = 3;
    const d = device();
    const img = await runnableAppImage(2, 64 * 1024);
    await publish('app', 2, img);
    assert.equal(w.proxy.stats.corrupted, 1);
    await ends(d, 'app', img, 'new');
  });

  it('a frame larger than the MQTT buffer is dropped by the native side unallocated, reported, and fetched again', async () => {
    w.proxy.plan.oversizeNth = 2;
    w.proxy.plan.oversizeBytes = 20000;
    const d = device();
    const img = await runnableAppImage(2, 64 * 1024);
    await publish('app', 2, img);
    assert.equal(w.proxy.stats.oversized, 1);
    assert.ok(d.logs.some((l) => /payload of 200\d\d bytes is over the 8192-byte limit/.test(l)), 'the app reported the oversize message');
    await ends(d, 'app', img, 'new');
  });

  it('a frame larger than a chunk (but within the MQTT buffer) is dropped by the receiver and fetched again', async () => {
    w.proxy.plan.oversizeNth = 2;
    w.proxy.plan.oversizeBytes = 6000;
    const d = device();
    const img = await runnableAppImage(2, 64 * 1024);
    await publish('app', 2, img);
    assert.equal(w.proxy.stats.oversized, 1);
    await ends(d, 'app', img, 'new');
  });

  it('a truncated firmware image is rejected after download, before the boot switch', async () => {
    const d = device();
    const full = makeTestFirmwareImage(64 * 1024, 3);
    const img = full.subarray(0, full.length - 1000);
    const { manifest } = offerFor({ kind: 'firmware', version: 2, image: full, target: { device: 'dev1' } }, keys.priv);
    const m: Manifest = { ...manifest, size: img.length, sha256: sha(img) };
    const r = await publishUpdate({ url: w.broker.url, offer: signOffer(m, keys.priv), manifest: m, image: img, timeoutMs: 15000 });
    assert.match(r.devices.get('dev1')!.reason, /truncated|checksum/);
    assert.equal(d.board.otadata.state('ota_1'), 'undefined', 'never set to boot');
    await ends(d, 'firmware', full, 'old');
  });

  it('a truncated app image is rejected after download; the loader is never armed', async () => {
    const d = device();
    const full = await runnableAppImage(2, 40 * 1024);
    const img = full.subarray(0, full.length - 500);
    const { manifest } = offerFor({ kind: 'app', version: 2, image: full, target: { device: 'dev1' } }, keys.priv);
    const m: Manifest = { ...manifest, size: img.length, sha256: sha(img) };
    const r = await publishUpdate({ url: w.broker.url, offer: signOffer(m, keys.priv), manifest: m, image: img, timeoutMs: 15000 });
    assert.match(r.devices.get('dev1')!.reason, /size does not match/);
    assert.equal(d.board.state.get('appTrial')?.v ?? 0, 0);
    assert.equal(d.boots.length, 1);
    await ends(d, 'app', full, 'old');
  });

  const refused = async (d: SimDevice, offer: Buffer, manifest: Manifest, image: Buffer, reason: RegExp) => {
    const r = await publishUpdate({ url: w.broker.url, offer, manifest, image, timeoutMs: 15000 });
    assert.match(r.devices.get('dev1')!.reason, reason);
    assert.equal(erased(d), 0, 'nothing erased before the checks pass');
    assert.equal(r.devices.get('dev1')!.framesSent, 0);
    return r;
  };

  it('a manifest with a bad signature is rejected before anything is erased', async () => {
    const d = device();
    const img = await runnableAppImage(2, 20 * 1024);
    const { manifest, offer } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev1' } }, keys.priv);
    const bad = Buffer.from(offer);
    bad[bad.length - 5]! ^= 1;
    await refused(d, bad, manifest, img, /bad signature/);
    await ends(d, 'app', img, 'old');
  });

  it('a manifest signed with another key is rejected', async () => {
    const d = device();
    const img = await runnableAppImage(2, 20 * 1024);
    const { manifest, offer } = offerFor({ kind: 'firmware', version: 2, image: makeTestFirmwareImage(64 * 1024, 1), target: { device: 'dev1' } }, other.priv);
    await refused(d, offer, manifest, img, /bad signature/);
    await ends(d, 'firmware', img, 'old');
  });

  it('a manifest altered after signing is rejected', async () => {
    const d = device();
    const img = await runnableAppImage(2, 20 * 1024);
    const { manifest, offer } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev1' } }, keys.priv);
    const mb = manifestBytes(manifest);
    const tampered = Buffer.from(offer);
    tampered.write(mb.toString('latin1').replace('"version":2', '"version":9'), 6, 'latin1');
    await refused(d, tampered, manifest, img, /bad signature/);
    await ends(d, 'app', img, 'old');
  });

  it('a replayed older version is rejected (anti-rollback), after a real update', async () => {
    const d = device();
    const v3 = await runnableAppImage(3, 40 * 1024);
    const v2 = await runnableAppImage(2, 40 * 1024);
    const old = offerFor({ kind: 'app', version: 2, image: v2, target: { device: 'dev1' } }, keys.priv);
    assert.ok((await publish('app', 3, v3)).ok);
    const before = erased(d);
    const r = await publishUpdate({ url: w.broker.url, offer: old.offer, manifest: old.manifest, image: v2, timeoutMs: 15000 });
    assert.match(r.devices.get('dev1')!.reason, /replayed older version: 2 <= accepted 3/);
    assert.equal(erased(d), before, 'nothing erased');
    // The retained status is the refusal; it still names what runs: v3 from app_a.
    const st = await ends(d, 'app', v3, 'new', { state: /rejected/ });
    assert.deepEqual([st.running.app, st.running.seq[1]], ['app_a', 3]);
  });

  it('an offer for another device is rejected', async () => {
    const d = device();
    const img = await runnableAppImage(2, 20 * 1024);
    const { manifest } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev2' } }, keys.priv);
    // dev2's offer on dev1's topic (a misrouted or malicious publish).
    const c = await mqtt.connectAsync(w.broker.url);
    await c.publishAsync('esp/dev1/ota/offer', signOffer(manifest, keys.priv), { qos: 1, retain: true });
    await eventually(() => w.obs.on('esp/dev1/ota/status').find((m) => m.json?.state === 'rejected'), 'rejection');
    assert.match(w.obs.on('esp/dev1/ota/status').find((m) => m.json?.state === 'rejected')!.json.reason, /wrong device/);
    await c.publishAsync('esp/dev1/ota/offer', Buffer.alloc(0), { qos: 1, retain: true });
    await c.endAsync();
    assert.equal(erased(d), 0);
    await ends(d, 'app', img, 'old');
  });

  it('an image larger than the slot is rejected', async () => {
    const d = device();
    const img = await runnableAppImage(2, 0x30000 + 1024); // > the 192 KB app slot
    const { manifest, offer } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev1' } }, keys.priv);
    await refused(d, offer, manifest, img, /larger than the 196608-byte slot/);
    await ends(d, 'app', img, 'old');
  });

  it('a firmware image larger than the 1.5 MB slot is rejected', async () => {
    const d = device();
    const img = makeTestFirmwareImage(0x180000 + 16, 2);
    const { manifest, offer } = offerFor({ kind: 'firmware', version: 2, image: img, target: { device: 'dev1' } }, keys.priv);
    await refused(d, offer, manifest, img, /larger than the 1572864-byte slot/);
    await ends(d, 'firmware', img, 'old');
  });

  it('an app image built for another contract version is rejected at the offer', async () => {
    const d = device();
    const img = await runnableAppImage(2, 20 * 1024, CONTRACT_VERSION + 1);
    const { manifest, offer } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev1' } }, keys.priv);
    await refused(d, offer, manifest, img, new RegExp(`native contract ${CONTRACT_VERSION + 1}`));
    await ends(d, 'app', img, 'old');
  });

  it('an app image for another contract version, offered without requirements, is refused after download and never loaded', async () => {
    const d = device();
    const img = await runnableAppImage(2, 20 * 1024, CONTRACT_VERSION + 1);
    const { manifest } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev1' } }, keys.priv);
    const m: Manifest = { ...manifest, requires: {} };
    const r = await publishUpdate({ url: w.broker.url, offer: signOffer(m, keys.priv), manifest: m, image: img, timeoutMs: 15000 });
    assert.match(r.devices.get('dev1')!.reason, new RegExp(`native contract ${CONTRACT_VERSION + 1}`));
    assert.equal(d.boots.length, 1);
    await ends(d, 'app', img, 'old');
  });

  it('a second offer during a transfer supersedes it, whatever its kind; the superseded publishers hear so', async () => {
    const d = device();
    const v2 = await runnableAppImage(2, 150 * 1024);
    const v3 = await runnableAppImage(3, 100 * 1024);
    const fw = makeTestFirmwareImage(64 * 1024, 1);
    // Stall the transfers after 5 frames: every later data frame is lost until the last offer is taken.
    let frames = 0;
    Object.assign(w.proxy.plan, { drop: 1, match: (t: string) => t.endsWith('/ota/data') && ++frames > 5 });
    const first = publish('app', 2, v2, { timeoutMs: 8000 });
    await eventually(() => frames > 8, 'first transfer under way', { rounds: 2000 });
    const statusOf = (kind: string) => w.obs.on('esp/dev1/ota/status').some((m) => m.json?.kind === kind && m.json.state === 'downloading');
    const firmware = publish('firmware', 2, fw, { timeoutMs: 8000 });
    await eventually(() => statusOf('firmware'), 'the firmware offer taken over the app transfer', { rounds: 2000 });
    // Frames flow again once the device has taken the newest offer (so a stalled transfer cannot finish first).
    const second = await publish('app', 3, v3, { onProgress: (p) => void (p.state === 'offered' || p.state === 'downloading' ? (w.proxy.plan.drop = 0) : 0) });
    const r1 = await first;
    const r2 = await firmware;
    assert.equal(r1.devices.get('dev1')!.state, 'rejected');
    assert.match(r1.devices.get('dev1')!.reason, /superseded/);
    assert.match(r2.devices.get('dev1')!.reason, /superseded/);
    assert.ok(second.ok);
    await ends(d, 'app', v3, 'new');
    assert.equal(d.lastBoot.appVersion, 3);
    assert.equal(d.board.state.get('otaSeqApp')?.v, 3);
    assert.equal(d.board.otadata.state('ota_1'), 'undefined', 'the superseded firmware never touched the boot state');
  });

  it('a new firmware that cannot reach the w.broker fails its probation, is rolled back, and says so', async () => {
    const d = device('dev1', { settings: { otaProbeSec: 2 } });
    d.board.on('boot', (b) => void (w.proxy.refuse = b.firmwareSlot === 'ota_1')); // the new firmware never gets online
    const img = makeTestFirmwareImage(64 * 1024, 4);
    const r = await publish('firmware', 2, img);
    assert.equal(r.devices.get('dev1')!.state, 'rolled-back');
    assert.match(r.devices.get('dev1')!.reason, /MQTT not connected/);
    await ends(d, 'firmware', img, 'old');
    assert.equal(d.board.otadata.state('ota_1'), 'invalid');
    assert.deepEqual(
      d.boots.map((b) => b.firmwareSlot),
      ['ota_0', 'ota_1', 'ota_0'],
    );
  });

  it('a new firmware whose heap stays below the floor fails its probation and is rolled back', async () => {
    let low = false;
    const d = device('dev1', {
      settings: { otaProbeSec: 2 },
      heap: () => ({ jsSize: 65536, jsUsed: low ? 65536 - 1024 : 20000, jsPeak: 0, nativeFree: 100000, nativeMinFree: 90000 }),
    });
    d.board.on('boot', (b) => void (low = b.firmwareSlot === 'ota_1'));
    const img = makeTestFirmwareImage(64 * 1024, 6);
    const r = await publish('firmware', 2, img);
    assert.equal(r.devices.get('dev1')!.state, 'rolled-back');
    assert.match(r.devices.get('dev1')!.reason, /free heap 1024 below 8192/);
    await ends(d, 'firmware', img, 'old');
  });

  it('a firmware failing probation with nothing usable to roll back to is kept, verified, and reported as such', async () => {
    const d = device('dev1', { settings: { otaProbeSec: 2 } });
    const v2 = makeTestFirmwareImage(64 * 1024, 21);
    const v3 = makeTestFirmwareImage(64 * 1024, 22);
    const r2 = await publish('firmware', 2, v2);
    assert.ok(r2.ok, JSON.stringify([...r2.devices.values()]));
    // Damage v2 in ota_1 (a NOR write can clear bits): the bootloader and rollback must not trust it any more.
    const p = d.board.partitions.get('ota_1')!;
    d.board.flash.write(p.offset + 1000, new Uint8Array([0]));
    d.board.on('boot', (b) => void (w.proxy.refuse = b.firmwareSlot === 'ota_0')); // v3 cannot get online
    d.board.on('log', (_l, m) => void (m.includes('rollback is not possible') && (w.proxy.refuse = false)));
    const r = await publish('firmware', 3, v3);
    assert.equal(r.devices.get('dev1')!.state, 'rejected', JSON.stringify(r.devices.get('dev1')));
    assert.match(r.devices.get('dev1')!.reason, /no firmware to roll back to, kept ota_0/);
    await ends(d, 'firmware', v3, 'new', { fw: 'ota_1', state: /rejected/ });
  });

  it('a new app that throws after start fails its probation (restart on probation) and the loader rolls back', async () => {
    const d = device();
    const good = await runnableAppImage(2, 40 * 1024);
    const { packAppImage } = await import('../../build/app-image.ts');
    const payload = Buffer.concat([good.subarray(128), Buffer.from('\nnative.timerStart(500, false, function () { throw new Error("boom"); });\n')]);
    const img = packAppImage(payload, { contractVersion: CONTRACT_VERSION, appVersion: 2, payloadKind: 'source' });
    const r = await publish('app', 2, img);
    assert.equal(r.devices.get('dev1')!.state, 'rolled-back', JSON.stringify(r.devices.get('dev1')));
    assert.match(r.devices.get('dev1')!.reason, /probation/);
    await ends(d, 'app', img, 'old');
    assert.ok(d.board.faults >= 1);
    assert.equal(d.board.state.get('otaSeqApp')?.v ?? 0, 0);
  });

  describe('power cut at every phase', () => {
    type Case = { name: string; kind: 'app' | 'firmware'; at: Parameters<SimDevice['cutWhen']>[0]; expect: 'new' | 'old'; bytes?: number };
    const cases: Case[] = [
      { name: 'during erase', kind: 'firmware', at: (p) => p.op === 'erase' && p.arg === 'ota_1' && p.n === 20, expect: 'new' },
      { name: 'mid-write (half a chunk reaches flash), after a saved point', kind: 'firmware', at: (p) => p.op === 'write' && p.arg === 'ota_1' && p.n === 40 && 'half', expect: 'new' },
      { name: 'mid-write of an app image', kind: 'app', at: (p) => p.op === 'write' && p.arg === 'app_a' && p.n === 7 && 'half', expect: 'new' },
      { name: 'while persisting progress', kind: 'app', at: (p) => p.op === 'kvSet' && p.arg === 'otaProg' && p.n === 3, expect: 'new' },
      { name: 'at set-boot', kind: 'firmware', at: (p) => p.op === 'setBoot', expect: 'new' },
      { name: 'right after set-boot', kind: 'firmware', at: (p) => p.op === 'setBoot:after', expect: 'new' },
      { name: 'while arming the app loader', kind: 'app', at: (p) => p.op === 'kvSet' && p.arg === 'appTrial', expect: 'new' },
      { name: 'during probation (firmware)', kind: 'firmware', at: (p) => p.op === 'kvSet' && p.arg === 'otaProg' && p.n >= 2 && probing(p), expect: 'old' },
      { name: 'during probation (app)', kind: 'app', at: (p) => p.op === 'kvSet' && p.arg === 'otaProg' && probing(p), expect: 'old' },
      { name: 'while marking valid', kind: 'firmware', at: (p) => p.op === 'markValid', expect: 'old' },
      { name: 'while saving the accepted version', kind: 'firmware', at: (p) => p.op === 'kvSet' && p.arg === 'otaSeqFw', expect: 'new' },
    ];
    let current: SimDevice | null = null;
    /** After the restart into the new image (the receiver saves probeBoots = 1 as probation begins). */
    const probing = (_p: unknown) => current !== null && current.boots.length >= 2 && (current.lastBoot.firmwareSlot === 'ota_1' || current.lastBoot.appSlot === 'app_a');
    for (const c of cases) {
      it(c.name, async () => {
        const d = (current = device());
        d.cutWhen(c.at);
        const img = c.kind === 'app' ? await runnableAppImage(2, 100 * 1024) : makeTestFirmwareImage(200 * 1024, 8);
        const r = await publish(c.kind, 2, img);
        assert.equal(d.cuts, 1, 'the power cut happened');
        assert.ok(d.boots.some((b) => b.resetReason === 'poweron' && b.boot > 1), 'booted again from power-on');
        assert.equal(r.devices.get('dev1')!.state, c.expect === 'new' ? 'accepted' : 'rolled-back', JSON.stringify(r.devices.get('dev1')));
        await ends(d, c.kind, img, c.expect);
      });
    }
  });

  it('a fleet: one offer to a group, each device pulls at its pace, a dead device does not stall the others', async () => {
    const a = device('a', { settings: { group: 'g1' } });
    const b = device('b', { settings: { group: 'g1' } });
    const c = device('c', { settings: { group: 'g1' } });
    c.cutWhen((p) => p.op === 'write', null); // dies at its first chunk and never comes back
    const img = await runnableAppImage(2, 100 * 1024);
    const t0 = Date.now();
    const r = await publish('app', 2, img, { expect: ['a', 'b', 'c'], timeoutMs: 6000 }, { group: 'g1' });
    assert.equal(r.devices.get('a')!.state, 'accepted');
    assert.equal(r.devices.get('b')!.state, 'accepted');
    assert.equal(r.devices.get('c')!.state, 'timeout');
    assert.ok(r.devices.get('a')!.finishedAt - t0 < 4000 && r.devices.get('b')!.finishedAt - t0 < 4000, 'a and b finished long before the timeout');
    assert.equal(r.ok, false);
    await ends(a, 'app', img, 'new');
    await ends(b, 'app', img, 'new');
    assert.equal(c.board.running, false);
  });
});
