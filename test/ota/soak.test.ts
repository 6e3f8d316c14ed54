/**
 * The OTA soak (issue 11): 50 updates in a row to one simulated board, against aedes and against mosquitto with
 * persistence, each with seeded random faults: drops, duplicates and reorders of data frames, a publisher killed
 * mid-way and restarted with other options (another chunk size), the board restarted or its power cut mid-transfer,
 * and now and then an update that must be refused (signed with another key, or an older version). Every update must
 * end in `accepted` or a named refusal, and the device must never be left busy. Prints the counts and the seed
 * (OTA_SOAK_SEED replays another run).
 */
import assert from 'node:assert/strict';
import { mulberry32 } from '../../host/ota/testing/fault-proxy.ts';
import { makeTestFirmwareImage } from '../../host/ota/firmware-image.ts';
import { publishUpdate, type PublishResult } from '../../host/ota/publisher.ts';
import { eventually } from '../spine/util.ts';
import { assertEndsWell, keyPair, offerFor, retainedStatus, runnableAppImage, testModelBin } from './sim-harness.ts';
import { sessionWorld, type BrokerKind } from './session-world.ts';

const UPDATES = Number(process.env.OTA_SOAK_UPDATES ?? 50);
const SEED = Number(process.env.OTA_SOAK_SEED ?? 11);
const CHUNKS = [256, 1024, 2048, 4096];
const FINAL_STATES = /^(accepted|rejected|rolled-back)$/;
const IN_PROGRESS = /^(offered|downloading|verifying|pending-verify)$/;

for (const kind of ['aedes', 'mosquitto'] as BrokerKind[]) {
  describe(`OTA soak: ${UPDATES} updates in a row with random faults (${kind})`, function () {
    this.timeout(240_000);
    const w = sessionWorld(kind);
    const other = keyPair();

    it('every update ends accepted or with a named refusal; the device is never left busy', async () => {
      const seed = SEED + (kind === 'mosquitto' ? 1000 : 0);
      const rnd = mulberry32(seed);
      const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
      const d = w.device('dev1', { settings: { otaProbeSec: 10 } });
      // The newest version offered and the last one accepted, by kind.
      const version = { app: 1, firmware: 1, model: 0 };
      const installed = { app: 0, firmware: 0, model: 0 };
      const counts = { updates: 0, accepted: 0, alreadyInstalled: 0, refused: new Map<string, number>(), publisherKills: 0, boardRestarts: 0, powerCuts: 0, framesDropped: 0, framesDuplicated: 0, framesReordered: 0 };
      const models = new Map<number, Buffer>();
      let last: { kind: 'app' | 'firmware' | 'model'; image: Buffer } | null = null;
      let lastAccepted = false;
      for (let i = 0; i < UPDATES; i++) {
        const k = pick(['app', 'firmware', 'model', 'model'] as const);
        let bad = rnd() < 0.1 ? pick(['other key', 'installed version'] as const) : null;
        if (bad === 'installed version' && installed[k] === 0) bad = 'other key';
        const v = bad === 'installed version' ? installed[k] : version[k] + 1;
        if (v > version[k]) version[k] = v;
        // Every draw of this update is made up front, so the sequence does not depend on how the run went.
        const chunks = [pick(CHUNKS), pick(CHUNKS)] as const;
        const appBytes = 40 * 1024 + Math.floor(rnd() * 40 * 1024);
        const fwBytes = 32 * 1024 + 16 * Math.floor(rnd() * 6 * 1024);
        let image: Buffer;
        if (k === 'app') image = await runnableAppImage(v, appBytes);
        else if (k === 'firmware') image = makeTestFirmwareImage(fwBytes, i + 1);
        else {
          if (!models.has(v)) models.set(v, await testModelBin(v));
          image = models.get(v)!;
        }
        Object.assign(w.proxy.plan, { drop: rnd() * 0.08, dup: rnd() * 0.08, reorder: rnd() * 0.08, match: undefined });
        // Where (fraction of the chunks) the publisher is killed and the board restarted, if they are.
        const killAt = rnd() < 0.3 ? rnd() * 0.8 : -1;
        const restartAt = rnd() < 0.25 ? rnd() * 0.8 : -1;
        const powerCut = rnd() < 0.5;
        let restarted = false;
        const run = (chunk: number, kill: boolean): Promise<PublishResult> => {
          const ac = new AbortController();
          const input = { kind: k, version: v, image, target: { device: 'dev1' }, chunk, now: d.clock.wall() };
          const { manifest, offer } = offerFor(input, bad === 'other key' ? other.priv : w.keys.priv);
          return publishUpdate({
            url: w.url,
            offer,
            manifest,
            image,
            clock: d.clock,
            timeoutMs: 600_000,
            signal: ac.signal,
            keepOffer: kill, // a killed publisher leaves its retained offer behind
            onProgress: (p) => {
              if (kill && p.done >= killAt * p.total) ac.abort();
              if (!restarted && restartAt >= 0 && p.state === 'downloading' && p.done >= restartAt * p.total) {
                restarted = true;
                if (powerCut) {
                  counts.powerCuts++;
                  d.board.powerCut();
                  setImmediate(() => d.board.running || d.boot());
                } else {
                  counts.boardRestarts++;
                  void d.board.restart('sw');
                }
              }
            },
          });
        };
        let r = await run(chunks[0], killAt >= 0);
        if (r.devices.get('dev1')!.state === 'aborted') {
          counts.publisherKills++;
          // Restarted with other options: another chunk size (another identity: it supersedes) or the same.
          r = await run(chunks[1], false);
        }
        const dev = r.devices.get('dev1')!;
        counts.updates++;
        assert.match(dev.state, FINAL_STATES, `update ${i} (${k} v${v}${bad ? `, ${bad}` : ''}): ${JSON.stringify(dev)}`);
        if (dev.state === 'accepted' && dev.reason === 'already installed') {
          // The device already runs this very image (a publisher restarted after the end): done.
          assert.notEqual(bad, 'other key', `update ${i}: an offer signed with another key was accepted`);
          counts.alreadyInstalled++;
        } else if (dev.state === 'accepted') {
          assert.equal(bad, null, `update ${i}: a bad update (${bad}) was accepted`);
          counts.accepted++;
          installed[k] = v;
          last = { kind: k, image };
          lastAccepted = true;
        } else {
          lastAccepted = false;
          assert.ok(dev.reason.length > 0, `update ${i}: refused without a reason`);
          const name = dev.reason.replace(/[0-9]+/g, 'N').slice(0, 60);
          counts.refused.set(name, (counts.refused.get(name) ?? 0) + 1);
        }
        // Never left busy: once the publisher has its answer, the device's retained word is final.
        await eventually(() => d.board.running, 'board running');
        const st = await retainedStatus(w.url, 'dev1');
        assert.doesNotMatch(st.state, IN_PROGRESS, `update ${i}: left busy: ${JSON.stringify(st)}`);
      }
      const p = w.proxy.stats;
      Object.assign(counts, { framesDropped: p.dropped, framesDuplicated: p.duplicated, framesReordered: p.reordered });
      console.log(`      soak (${kind}, seed ${seed}): ${JSON.stringify({ ...counts, refused: Object.fromEntries(counts.refused) })}`);
      assert.equal(counts.updates, UPDATES);
      assert.ok(counts.accepted > UPDATES / 2, `most updates accepted: ${counts.accepted}`);
      if (last && lastAccepted) await assertEndsWell(d, w.obs, w.url, last.kind, last.image, 'new', last.kind === 'firmware' ? { fw: d.board.otadata.running === 'ota_0' ? 'ota_1' : 'ota_0' } : {});
    });
  });
}
