/**
 * OTA on both boards (test/helpers/boards.ts): the representative path of the fault suites, run also on the real
 * engine through the C bindings. An app update over a faulty link (a corrupted frame, an oversize frame), the
 * restart into it and its probation; a model update; a refused bad signature. The fault suites with power cuts at
 * exact flash operations (faults.test.ts) wrap the simulated board's flash objects and run on V8 only.
 */
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDevice } from '../../build/bundle.ts';
import { packageRoot } from '../../host/paths.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { startFaultProxy, type FaultProxy } from '../../host/ota/testing/fault-proxy.ts';
import { publishUpdate, type PublishResult } from '../../host/ota/publisher.ts';
import { trainMeterModel } from '../../host/meters/model.ts';
import { describeOnBoards, type BoardUnderTest } from '../helpers/boards.ts';
import { eventually, Observer } from '../spine/util.ts';
import { keyPair, offerFor, runnableAppImage } from './sim-harness.ts';

/** The app image `jerrywatt build --app-version N` makes when an engine is at hand: what an OTA to a real board carries. */
async function engineAppImage(version: number): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'jw-ota-img-'));
  try {
    const r = await buildDevice({ root: packageRoot(), appVersion: version, outDir: dir, budgetBytes: 1 << 20 });
    assert.equal(r.payloadKind, 'snapshot', 'with JERRYSCRIPT_PATH the build makes a snapshot image');
    return readFileSync(r.imagePath);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describeOnBoards('OTA end to end over a faulty link', (kind) => {
  let broker: EmbeddedBroker;
  let proxy: FaultProxy;
  let obs: Observer;
  const keys = keyPair();
  const boards: BoardUnderTest[] = [];

  before(async () => {
    broker = await startEmbeddedBroker();
    proxy = await startFaultProxy(broker.port);
    obs = await Observer.connect(broker.url);
  });
  after(async () => {
    for (const b of boards) await b.dispose();
    await obs?.close();
    await proxy?.close();
    await broker?.close();
  });

  async function device(id: string, meters = ''): Promise<BoardUnderTest> {
    const b = kind.make(id, proxy.url, { settings: { otaPubKey: keys.pubDer, otaProbeSec: 2, meters } });
    boards.push(b);
    b.boot();
    await eventually(() => obs.last(`esp/${id}/status`)?.json?.online === true, `${id} online`, { clocks: [b.clock] });
    return b;
  }

  /** Publishes while the V8 board's clock runs along (the native board runs on real time). */
  async function publish(b: BoardUnderTest, kindOf: 'app' | 'model', version: number, image: Uint8Array, signer: KeyObject = keys.priv): Promise<PublishResult> {
    const made = offerFor({ kind: kindOf, version, image, target: { device: b.deviceId } }, signer);
    let done: PublishResult | null = null;
    let failed: unknown = null;
    publishUpdate({ url: broker.url, offer: made.offer, manifest: made.manifest, image, expect: [b.deviceId], timeoutMs: 40_000 }).then(
      (r) => void (done = r),
      (e) => void (failed = e),
    );
    await eventually(() => done || failed, `${kindOf} v${version} to finish`, { clocks: [b.clock], stepMs: 20, rounds: 6000 });
    if (failed) throw failed;
    return done!;
  }

  it('an app update survives a corrupted and an oversize frame, restarts into the new app and passes probation', async () => {
    const b = await device('ota1');
    proxy.plan.corruptNth = 3;
    proxy.plan.oversizeNth = 5;
    proxy.plan.oversizeBytes = 20_000;
    // The V8 board runs source images; the real engine runs the image `jerrywatt build` makes for it (a static
    // snapshot, executed in place from the mapped slot).
    const img = kind.name === 'native' ? await engineAppImage(2) : await runnableAppImage(2, 40 * 1024);
    const r = await publish(b, 'app', 2, img);
    proxy.plan.corruptNth = undefined;
    proxy.plan.oversizeNth = undefined;
    assert.equal(r.devices.get('ota1')?.state, 'accepted', JSON.stringify(r.devices.get('ota1')));
    assert.ok(proxy.stats.corrupted >= 1 && proxy.stats.oversized >= 1, JSON.stringify(proxy.stats));
    const birth = await eventually(() => obs.on('esp/ota1/status').find((m) => m.json?.app === 2), 'the new app online', { clocks: [b.clock] });
    assert.match(birth.json.appSlot, /^app_[ab]$/);
    assert.ok(b.boots >= 2, `restarted into the update (${b.boots} boots)`);
    assert.equal(b.faults, 0);
  });

  it('an offer signed with another key is refused (bad signature); the same model signed right is verified and accepted', async () => {
    const b = await device('ota2', 'm1'); // a board that watches a meter takes models
    const model = (await trainMeterModel({ version: 5, trees: 2, maxDepth: 4, samples: 300, meters: 1 })).bytes;
    const other = keyPair();
    const refused = await publish(b, 'model', 5, model, other.priv);
    assert.equal(refused.devices.get('ota2')?.state, 'rejected', JSON.stringify(refused.devices.get('ota2')));
    assert.match(refused.devices.get('ota2')?.reason ?? '', /bad signature/);
    const r = await publish(b, 'model', 5, model);
    assert.equal(r.devices.get('ota2')?.state, 'accepted', JSON.stringify(r.devices.get('ota2')));
    assert.equal(b.faults, 0);
  });
});
