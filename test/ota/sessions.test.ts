/**
 * Sessions that always end, and offers that arrive (issue 11), on the real simulated board against aedes and against
 * mosquitto with persistence, through the seeded fault proxy. Publishers run on the board's manual clock; a killed
 * publisher is one stopped without clearing its retained offer (what SIGKILL leaves behind).
 */
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { makeTestFirmwareImage } from '../../host/ota/firmware-image.ts';
import { cancelUpdate } from '../../host/ota/cancel.ts';
import { buildManifest } from '../../host/ota/offer.ts';
import { packAppImage } from '../../build/app-image.ts';
import { CONTRACT_VERSION } from '../../bindings/contract.ts';
import { eventually } from '../spine/util.ts';
import { assertEndsWell, offerFor, retainedStatus, runnableAppImage, testModelBin, type SimDevice } from './sim-harness.ts';
import { sessionWorld, type BrokerKind } from './session-world.ts';

const IN_PROGRESS = /^(offered|downloading|verifying|pending-verify)$/;

for (const kind of ['aedes', 'mosquitto'] as BrokerKind[]) {
  describe(`OTA sessions that always end (${kind}, fault proxy, real bundle)`, function () {
    this.timeout(60_000);
    const w = sessionWorld(kind);
    const statuses = (d: SimDevice) => w.obs.on(`esp/${d.id}/ota/status`).map((m) => m.json);
    /** Lets `frames` data frames through, then loses every later one (a publisher gone quiet, seen from the device). */
    const starve = (frames: number) => {
      let n = 0;
      Object.assign(w.proxy.plan, { drop: 1, match: (t: string) => t.endsWith('/ota/data') && ++n > frames });
      return () => n;
    };
    const heal = () => Object.assign(w.proxy.plan, { drop: 0, match: undefined });
    /** A killed publisher: stopped without clearing its retained offer, once `when` says so. */
    const killWhen = (when: (done: number) => boolean) => {
      const ac = new AbortController();
      return { signal: ac.signal, keepOffer: true, onProgress: (p: { done: number }) => void (when(p.done) && ac.abort()) };
    };

    it('a publisher killed mid-way and restarted with another chunk size completes the update (chunk size is part of the identity)', async () => {
      const d = w.device();
      const img = await runnableAppImage(2, 120 * 1024);
      starve(60);
      const r1 = await w.publish(d, { kind: 'app', version: 2, image: img, chunk: 256 }, killWhen((done) => done >= 40));
      assert.equal(r1.devices.get('dev1')!.state, 'aborted');
      heal();
      const r2 = await w.publish(d, { kind: 'app', version: 2, image: img });
      assert.ok(r2.ok, JSON.stringify([...r2.devices.values()]));
      assert.ok(r2.devices.get('dev1')!.framesSent >= Math.ceil(img.length / 4096), 'the new transfer was served in full 4 KB chunks');
      await assertEndsWell(d, w.obs, w.url, 'app', img, 'new');
    });

    it('a publisher killed and restarted with the same options resumes: same identity, new session, progress kept', async () => {
      const d = w.device();
      const img = makeTestFirmwareImage(300 * 1024, 7);
      const total = Math.ceil(img.length / 4096);
      starve(45);
      const r1 = await w.publish(d, { kind: 'firmware', version: 2, image: img }, killWhen((done) => done >= 40));
      assert.equal(r1.devices.get('dev1')!.state, 'aborted');
      heal();
      const r2 = await w.publish(d, { kind: 'firmware', version: 2, image: img });
      assert.ok(r2.ok, JSON.stringify([...r2.devices.values()]));
      assert.ok(r2.devices.get('dev1')!.framesSent < total - 20, `resumed: ${r2.devices.get('dev1')!.framesSent} frames of ${total}`);
      await assertEndsWell(d, w.obs, w.url, 'firmware', img, 'new');
    });

    it('an abandoned transfer ends by the stall timeout; then another update (another kind) is accepted', async () => {
      const d = w.device('dev1', { settings: { otaStallSec: 5 } });
      const img = await runnableAppImage(2, 120 * 1024);
      starve(5);
      const r1 = await w.publish(d, { kind: 'app', version: 2, image: img }, killWhen((done) => done >= 3));
      assert.equal(r1.devices.get('dev1')!.state, 'aborted');
      const st = await eventually(() => statuses(d).find((s) => s?.state === 'rejected' && /stalled/.test(s.reason)), 'stalled', { rounds: 4000 });
      assert.equal(st.version, 2);
      heal();
      const model = await testModelBin(1);
      const r2 = await w.publish(d, { kind: 'model', version: 1, image: model });
      assert.ok(r2.ok, JSON.stringify([...r2.devices.values()]));
      await assertEndsWell(d, w.obs, w.url, 'model', model, 'new');
    });

    it('an abandoned transfer ends across a reboot: the saved progress says when it last moved', async () => {
      const d = w.device('dev1', { settings: { otaStallSec: 60 } });
      const img = makeTestFirmwareImage(300 * 1024, 8);
      starve(45);
      await w.publish(d, { kind: 'firmware', version: 2, image: img }, killWhen((done) => done >= 40));
      await eventually(() => /^download,/.test(String(d.board.state.get('otaProg')?.v ?? '')), 'progress saved');
      // Power off for two minutes of wall time, then on: the device resumes, sees no progress since, and gives up.
      d.board.powerCut();
      d.hold = true;
      d.clock.wallAtZero += 120_000;
      d.hold = false;
      d.boot();
      const st = await eventually(() => statuses(d).find((s) => s?.state === 'rejected' && /across a restart/.test(s.reason)), 'stalled across the restart');
      assert.equal(st.kind, 'firmware');
      assert.equal(d.board.state.get('otaProg'), undefined, 'nothing left in progress');
      assert.doesNotMatch((await retainedStatus(w.url, 'dev1')).state, IN_PROGRESS);
    });

    it("an offer's expiry holds while downloading: the transfer ends 'offer expired'", async () => {
      const d = w.device();
      const img = await runnableAppImage(2, 120 * 1024);
      starve(5);
      const r = await w.publish(d, { kind: 'app', version: 2, image: img, ttlMs: 20_000 });
      assert.equal(r.devices.get('dev1')!.state, 'rejected');
      assert.equal(r.devices.get('dev1')!.reason, 'offer expired');
      assert.doesNotMatch((await retainedStatus(w.url, 'dev1')).state, IN_PROGRESS);
    });

    it('an expired offer is never started', async () => {
      const d = w.device();
      const img = await testModelBin(1);
      const r = await w.publish(d, { kind: 'model', version: 1, image: img, ttlMs: 1000, now: d.clock.wall() - 60_000 });
      assert.equal(r.devices.get('dev1')!.reason, 'offer expired');
      assert.equal(r.devices.get('dev1')!.framesSent, 0);
    });

    it('`jerrywatt ota cancel` (clearing the retained offer) cancels a transfer; the device is then free', async () => {
      const d = w.device();
      const img = await runnableAppImage(2, 120 * 1024);
      starve(5);
      const run = w.publish(d, { kind: 'app', version: 2, image: img }, { keepOffer: true });
      await eventually(() => statuses(d).some((s) => s?.state === 'downloading'), 'downloading', { rounds: 2000 });
      const c = await cancelUpdate({ connection: { url: w.url }, target: { device: 'dev1' }, clock: d.clock, timeoutMs: 30_000 });
      assert.equal(c.outcome, 'cancelled', JSON.stringify(c));
      assert.match(c.status!.reason!, /cancelled/);
      const r = await run;
      assert.equal(r.devices.get('dev1')!.state, 'rejected');
      heal();
      const again = await cancelUpdate({ connection: { url: w.url }, target: { device: 'dev1' }, clock: d.clock, timeoutMs: 30_000 });
      assert.equal(again.outcome, 'idle', 'nothing in progress any more');
      const model = await testModelBin(1);
      assert.ok((await w.publish(d, { kind: 'model', version: 1, image: model })).ok);
    });

    it("`busy` names the update in progress and when it ends; the offer is taken once it has ended", async () => {
      let low = false;
      const d = w.device('dev1', {
        settings: { otaProbeSec: 20 },
        heap: () => ({ jsSize: 65536, jsUsed: low ? 65536 - 1024 : 20000, jsPeak: 0, nativeFree: 100000, nativeMinFree: 90000 }),
      });
      // The new firmware's heap stays low: its probation waits for its whole deadline, then rolls back.
      d.board.on('boot', (b) => void (low = b.firmwareSlot === 'ota_1'));
      const fw = makeTestFirmwareImage(64 * 1024, 9);
      const fwRun = w.publish(d, { kind: 'firmware', version: 2, image: fw });
      await eventually(() => statuses(d).some((s) => s?.state === 'pending-verify' && s.running?.fw === 'ota_1'), 'probation', { rounds: 4000 });
      const model = await testModelBin(1);
      const modelRun = w.publish(d, { kind: 'model', version: 1, image: model });
      const busy = await eventually(() => statuses(d).find((s) => s?.state === 'rejected' && s.busy), 'busy refusal');
      assert.deepEqual([busy.busy.kind, busy.busy.version, busy.busy.state], ['firmware', 2, 'pending-verify']);
      assert.ok(busy.busy.endsIn > 0 && busy.busy.endsIn <= 20_000, `ends within the probation: ${busy.busy.endsIn}`);
      assert.match(busy.reason, /^busy: firmware v2 .* pending-verify; ends within \d+ s$/);
      assert.equal((await fwRun).devices.get('dev1')!.state, 'rolled-back');
      const r = await modelRun;
      // Offered again when the probation ended (or redelivered, retained, when the rolled-back board reconnected).
      assert.ok(r.ok, JSON.stringify([...r.devices.values()]));
      await assertEndsWell(d, w.obs, w.url, 'model', model, 'new');
    });

    it('an offer lost on the way is sent again with backoff until the device answers', async () => {
      const d = w.device();
      let offers = 0;
      Object.assign(w.proxy.plan, { drop: 1, match: (t: string) => t.endsWith('/ota/offer') && ++offers <= 2 });
      const img = await testModelBin(1);
      const r = await w.publish(d, { kind: 'model', version: 1, image: img });
      assert.ok(r.ok, JSON.stringify([...r.devices.values()]));
      assert.ok(r.offers >= 3 && w.proxy.stats.dropped >= 2, `offers ${r.offers}, dropped ${w.proxy.stats.dropped}`);
      await assertEndsWell(d, w.obs, w.url, 'model', img, 'new');
    });

    it('stale offers never start: a superseded offer redelivered late, and an answered one sent again, are not taken', async () => {
      const d = w.device();
      const v3 = await testModelBin(3);
      const v2 = await testModelBin(2);
      const t0 = d.clock.wall();
      // Signed before the v2 offer that then went out (a superseded offer, held up somewhere): a higher version, but
      // stale.
      const old = offerFor({ kind: 'model', version: 3, image: v3, target: { device: 'dev1' }, now: t0 }, w.keys.priv);
      assert.ok((await w.publish(d, { kind: 'model', version: 2, image: v2, now: t0 + 1000 })).ok);
      const c = await mqtt.connectAsync(w.url);
      try {
        const before = statuses(d).length;
        await c.publishAsync('esp/dev1/ota/offer', old.offer, { qos: 1 });
        const st = await eventually(() => statuses(d).slice(before).find((s) => s?.session === old.manifest.session), 'answer to the stale offer');
        assert.match(st.reason, /stale offer/);
        // The same stale offer again is not even answered: a junk offer after it is, and nothing in between.
        const mark = statuses(d).length;
        await c.publishAsync('esp/dev1/ota/offer', old.offer, { qos: 1 });
        await c.publishAsync('esp/dev1/ota/offer', Buffer.from('junk'), { qos: 1 });
        await eventually(() => statuses(d).slice(mark).some((s) => /not an offer/.test(s?.reason ?? '')), 'answer to the junk');
        assert.deepEqual(statuses(d).slice(mark).filter((s) => s?.session === old.manifest.session), [], 'an answered offer is ignored');
      } finally {
        await c.endAsync();
      }
      assert.equal(d.ops.get('erase:model_b') ?? 0, 0, 'the stale offer never erased the free model slot');
      await assertEndsWell(d, w.obs, w.url, 'model', v2, 'new');
    });
  });
}

describe('OTA publisher checks an app image before signing', () => {
  it('an app image whose payload does not match its header SHA-256 is refused', () => {
    const img = packAppImage(Buffer.from('native.log("info","x");'), { contractVersion: CONTRACT_VERSION, appVersion: 2, payloadKind: 'source' });
    assert.ok(buildManifest({ kind: 'app', version: 2, image: img, target: { device: 'd' } }));
    const bad = Buffer.from(img);
    bad[bad.length - 2]! ^= 0x20;
    assert.throws(() => buildManifest({ kind: 'app', version: 2, image: bad, target: { device: 'd' } }), /payload SHA-256 mismatch/);
    const header = Buffer.from(img);
    header[10]! ^= 1;
    assert.throws(() => buildManifest({ kind: 'app', version: 2, image: header, target: { device: 'd' } }), /header CRC mismatch/);
  });
});
