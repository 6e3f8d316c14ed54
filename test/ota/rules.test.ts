/**
 * The receiver's pure decisions, without native or MQTT: transfer arithmetic and saved progress (progress.ts), a
 * second offer during an update (manifest.ts arbitrate), the offer bytes kept for resume, forgetting chunks of a
 * rewound sector (window.ts), the probation verdicts (probation-rules.ts), the status JSON (status.ts) and the model
 * header check (model-header.ts).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { encodeFrame, type FrameHeader } from '../../device/ota/frame.ts';
import { parseOffer, packOffer, copyOffer, arbitrate, type Manifest } from '../../device/ota/manifest.ts';
import { ChunkWindow } from '../../device/ota/window.ts';
import { chunkBytes, chunkCount, eraseEnd, formatProgress, heldBytes, judgeFrame, parseProgress, savePoint, sectorOf, type Progress } from '../../device/ota/progress.ts';
import { bootVerdict, probeVerdict, switched, type BootFacts } from '../../device/ota/probation-rules.ts';
import { statusJson, refusalJson, lastFinalNow, busyReason, type Running } from '../../device/ota/status.ts';
import { checkModelHeader } from '../../device/ota/model-header.ts';
import { buildManifest, signOffer } from '../../host/ota/offer.ts';

const manifest = (over: Partial<Manifest> = {}): Manifest => ({
  kind: 'app',
  version: 2,
  size: 10_000,
  sha256: 'a'.repeat(64),
  chunk: 1024,
  session: 7,
  issued: 0,
  target: { device: 'd1' },
  requires: {},
  expires: 0,
  ...over,
});

describe('OTA receiver rules (pure)', () => {
  describe('transfer arithmetic', () => {
    it('counts chunks, sizes the last one, rounds the erase to sectors, and states the held bytes', () => {
      const m = manifest({ size: 10_000, chunk: 1024 });
      assert.equal(chunkCount(m), 10);
      assert.equal(chunkBytes(m, 0), 1024);
      assert.equal(chunkBytes(m, 9), 10_000 - 9 * 1024);
      assert.equal(eraseEnd(m), 12_288);
      assert.equal(eraseEnd(manifest({ size: 8192 })), 8192);
      const w = new ChunkWindow(chunkCount(m), 16);
      // docs/ota-protocol.md: held = chunk + ceil(size/chunk/8) + 12*W
      assert.equal(heldBytes(1024, w), 1024 + 2 + 12 * 16);
    });

    it('takes a good frame, counts a received chunk as a duplicate, and drops every malformed one', () => {
      const m = manifest({ size: 3000, chunk: 1024, session: 9 });
      const w = new ChunkWindow(3, 4);
      const h: FrameHeader = { session: 0, index: 0, length: 0, crc: 0 };
      const good = encodeFrame(9, 1, new Uint8Array(1024).fill(5));
      assert.equal(judgeFrame(good, h, m, w), null);
      assert.deepEqual([h.index, h.length], [1, 1024]);
      w.mark(1);
      assert.equal(judgeFrame(good, h, m, w), 'dup');
      assert.equal(judgeFrame(encodeFrame(9, 2, new Uint8Array(3000 - 2048)), h, m, w), null, 'the short last chunk');
      assert.equal(judgeFrame(encodeFrame(9, 2, new Uint8Array(1024)), h, m, w), 'drop', 'last chunk of the wrong length');
      assert.equal(judgeFrame(encodeFrame(8, 0, new Uint8Array(1024)), h, m, w), 'drop', 'another session');
      assert.equal(judgeFrame(encodeFrame(9, 3, new Uint8Array(1024)), h, m, w), 'drop', 'index out of range');
      assert.equal(judgeFrame(encodeFrame(9, 0, new Uint8Array(1025)), h, m, w), 'drop', 'larger than a chunk');
      const bad = encodeFrame(9, 0, new Uint8Array(1024));
      bad[20]! ^= 1;
      assert.equal(judgeFrame(bad, h, m, w), 'drop', 'CRC');
    });

    it('saves at sector boundaries of the contiguous prefix, at most once per window, and at the end', () => {
      const w = new ChunkWindow(20, 4);
      const chunk = 1024; // 4 chunks per sector
      for (let i = 0; i < 3; i++) w.mark(i);
      assert.equal(savePoint(w, 0, chunk), -1, 'no whole sector yet');
      w.mark(3);
      assert.equal(savePoint(w, 0, chunk), 4);
      for (let i = 4; i < 7; i++) w.mark(i);
      assert.equal(savePoint(w, 4, chunk), -1, 'prefix 7 is still in the sector of 4..7');
      w.mark(9);
      w.mark(7);
      assert.equal(savePoint(w, 4, chunk), 8, 'chunk 8 missing: the prefix stops at the sector boundary');
      for (let i = 8; i < 20; i++) w.mark(i);
      assert.equal(savePoint(w, 8, chunk), 20, 'complete');
      assert.equal(savePoint(w, 20, chunk), -1);
      // Chunks of a whole sector: every chunk is a boundary, but a window must have arrived since the last save.
      const big = new ChunkWindow(10, 4);
      for (let i = 0; i < 3; i++) big.mark(i);
      assert.equal(savePoint(big, 0, 4096), -1);
      big.mark(3);
      assert.equal(savePoint(big, 0, 4096), 4);
    });

    it('finds the sector of a chunk and the chunks that share it; the window forgets them', () => {
      assert.deepEqual(sectorOf(5, 1024, 20), { sector: 4096, first: 4, last: 8 });
      assert.deepEqual(sectorOf(9, 1024, 10), { sector: 8192, first: 8, last: 10 });
      assert.deepEqual(sectorOf(3, 4096, 10), { sector: 12288, first: 3, last: 4 });
      const w = new ChunkWindow(10, 4);
      for (const i of [0, 1, 2, 3, 4, 5, 7]) w.mark(i);
      assert.equal(w.lowest, 6);
      w.forget(4, 8);
      assert.deepEqual([w.receivedCount, w.lowest, w.has(4), w.has(7), w.has(3)], [4, 4, false, false, true]);
      assert.deepEqual(w.next(0), [[4, 4]], 'they are asked for again');
    });

    it('the saved progress round-trips; an empty or short record holds no update', () => {
      const p: Progress = { phase: 'download', session: 0xdeadbeef, done: 12, doneCrc: 0xfffffffe, probeBoots: 1, label: 'app_b', started: 1767225600000, lastAt: 1767225660000 };
      assert.equal(formatProgress(p), 'download,3735928559,12,4294967294,1,app_b,1767225600000,1767225660000');
      assert.deepEqual(parseProgress(formatProgress(p)), p);
      assert.equal(parseProgress(''), null);
      assert.equal(parseProgress('download,1,2,3,4'), null);
      assert.deepEqual(parseProgress('verify,x,y,z,w,ota_1'), { phase: 'verify', session: 0, done: 0, doneCrc: 0, probeBoots: 0, label: 'ota_1', started: 0, lastAt: 0 }, 'a record without times (an older receiver)');
    });
  });

  describe('offers', () => {
    it('a second offer: answered or current session ignored, same update adopted, busy after the switch, stale, or judged', () => {
      const cur = manifest({ kind: 'app', version: 2, session: 7, issued: 100 });
      assert.equal(arbitrate(manifest({ version: 9, session: 1 }), undefined, false, false, 0), 'judge', 'nothing in progress');
      assert.equal(arbitrate(manifest({ version: 9, session: 1 }), undefined, false, true, 0), 'ignore', 'a session already answered');
      assert.equal(arbitrate(manifest({ session: 7, version: 5 }), cur, false, false, 0), 'ignore', 'the current session again');
      assert.equal(arbitrate(manifest({ session: 8, issued: 200 }), cur, false, false, 100), 'adopt', 'same identity, new session');
      assert.equal(arbitrate(manifest({ session: 8, issued: 200 }), cur, true, false, 100), 'adopt', 'a restarted publisher, even during probation');
      // Every field of the identity counts: another chunk size, size or hash is another update, which supersedes.
      for (const other of [{ chunk: 256 }, { size: 9_999 }, { sha256: 'b'.repeat(64) }, { version: 3 }, { version: 1 }, { kind: 'model' as const }])
        assert.equal(arbitrate(manifest({ session: 8, issued: 200, ...other }), cur, false, false, 100), 'judge', JSON.stringify(other));
      assert.equal(arbitrate(manifest({ session: 8, version: 3, issued: 200 }), cur, true, false, 100), 'busy', 'never past the boot switch');
      assert.equal(arbitrate(manifest({ session: 8, version: 3, issued: 50 }), cur, false, false, 100), 'stale', 'issued before the current offer');
      assert.equal(arbitrate(manifest({ session: 8, version: 3, issued: 50 }), undefined, false, false, 100), 'stale', 'issued before the newest taken');
    });

    it('the kept offer is a copy of its own, and packs back to the bytes that were signed', () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const m = buildManifest({ kind: 'model', version: 1, image: new Uint8Array(100), target: { device: 'd1' } });
      const bytes = new Uint8Array(signOffer(m, privateKey));
      const o = parseOffer(bytes);
      assert.ok(typeof o !== 'string');
      const kept = copyOffer(o);
      bytes.fill(0); // the client reuses its buffer
      assert.equal(typeof parseOffer(bytes), 'string');
      const again = parseOffer(packOffer(kept));
      assert.ok(typeof again !== 'string', String(again));
      assert.deepEqual(again.manifest, o.manifest);
      assert.deepEqual(packOffer(again), packOffer(kept));
    });
  });

  describe('probation', () => {
    const facts = (over: Partial<BootFacts>): BootFacts => ({ kind: 'firmware', label: 'ota_1', running: 'ota_1', confirmed: false, onTrial: true, rolledWhy: '', probeBoots: 0, ...over });

    it('after the restart: probe, accepted when already confirmed, rolled back when the other image runs', () => {
      assert.equal(bootVerdict(facts({})), 'probe');
      assert.equal(bootVerdict(facts({ confirmed: true })), 'accepted');
      assert.deepEqual(bootVerdict(facts({ running: 'ota_0' })), { rolledBack: 'booted ota_0, not ota_1' });
      assert.deepEqual(bootVerdict(facts({ probeBoots: 1 })), { rollback: 'restarted during probation' });
      const app = { kind: 'app' as const, label: 'app_a' };
      assert.deepEqual(bootVerdict(facts({ ...app, running: 'embedded', rolledWhy: 'probation failed: x' })), { rolledBack: 'probation failed: x' });
      assert.deepEqual(bootVerdict(facts({ ...app, running: 'embedded' })), { rolledBack: 'loader did not boot app_a' });
      assert.equal(bootVerdict(facts({ ...app, running: 'app_a', confirmed: true })), 'accepted');
    });

    it('switched: the new image booted on trial', () => {
      assert.equal(switched(facts({})), true);
      assert.equal(switched(facts({ onTrial: false })), false);
      assert.equal(switched(facts({ running: 'ota_0' })), false);
      assert.equal(switched(facts({ kind: 'model', running: 'ota_1' })), false);
    });

    it('passes after the settle time when healthy, waits, and fails at the deadline with the reason', () => {
      const l = { heapMin: 8192, probeSec: 60 };
      assert.equal(probeVerdict(2999, true, 50_000, l), 'wait');
      assert.equal(probeVerdict(3000, true, 50_000, l), 'pass');
      assert.equal(probeVerdict(3000, true, NaN, l), 'pass', 'an unmeasurable heap does not fail');
      assert.equal(probeVerdict(59_999, false, 50_000, l), 'wait');
      assert.equal(probeVerdict(60_000, false, 50_000, l), 'probation: MQTT not connected');
      assert.equal(probeVerdict(60_000, true, 100, l), 'probation: free heap 100 below 8192');
      assert.equal(probeVerdict(2000, true, 50_000, { ...l, probeSec: 2 }), 'pass', 'a deadline shorter than the settle time');
      assert.equal(probeVerdict(500, true, 50_000, { ...l, settleMs: 500 }), 'pass');
    });
  });

  describe('status', () => {
    const running: Running = { fw: 'ota_0', app: 'app_a', model: '', seq: [0, 1, 0] };
    const mem = { peak: 10, held: 20 };

    it('names the update, its progress and what runs, in the documented field order', () => {
      const m = manifest({ size: 10_000, chunk: 1024 });
      assert.equal(
        statusJson('downloading', '', m, 3, running, mem),
        `{"state":"downloading","kind":"app","version":2,"sha256":"${'a'.repeat(64)}","session":7,"done":3,"total":10,"reason":"","running":{"fw":"ota_0","app":"app_a","model":"","seq":[0,1,0]},"mem":{"peak":10,"held":20}}`,
      );
      assert.equal(JSON.parse(statusJson('downloading', '', m, 3, running, mem, 1500)).endsIn, 1500, 'while in progress: when it ends at the latest');
      assert.equal(JSON.parse(statusJson('verifying', '', m, null, running, mem)).done, 10, 'complete once downloaded');
      assert.equal(JSON.parse(statusJson('rejected', 'x', m, null, running, mem)).done, 0);
      assert.deepEqual(JSON.parse(statusJson('idle', '', undefined, null, running, mem)), { state: 'idle', kind: '', version: 0, sha256: '', session: 0, done: 0, total: 0, reason: '', running, mem });
      assert.deepEqual(JSON.parse(refusalJson(5, 'bad signature', running, mem)), { state: 'rejected', session: 5, reason: 'bad signature', running, mem });
      const busy = { kind: 'app', version: 2, session: 7, state: 'downloading' as const, endsIn: 61_200 };
      assert.equal(busyReason(busy), 'busy: app v2 (session 7) is downloading; ends within 62 s');
      assert.deepEqual(JSON.parse(refusalJson(5, busyReason(busy), running, mem, busy)).busy, busy);
    });

    it('the last final status is republished with what runs now', () => {
      const saved = statusJson('rolled-back', 'probation: MQTT not connected', manifest(), null, { ...running, app: 'app_b' }, { peak: 1, held: 2 });
      const now = JSON.parse(lastFinalNow(saved, running, mem)!);
      assert.equal(now.state, 'rolled-back');
      assert.equal(now.reason, 'probation: MQTT not connected');
      assert.deepEqual([now.running, now.mem], [running, mem]);
      assert.equal(lastFinalNow('{broken', running, mem), null);
    });

    it('a saved last status that is JSON but not an object reads as absent (null), never throws', () => {
      for (const saved of ['null', '3', '"x"', 'true', '[]', '[1,2]', '']) assert.equal(lastFinalNow(saved, running, mem), null, saved);
    });
  });

  it('model header: checked when it is a model.bin, else the model is opaque', () => {
    const h = new Uint8Array(16);
    h.set([0x4a, 0x57, 0x52, 0x46]);
    const dv = new DataView(h.buffer);
    dv.setUint32(8, 3, true);
    dv.setUint32(12, 5000, true);
    assert.equal(checkModelHeader(h, 3, 5000), null);
    assert.equal(checkModelHeader(h, 4, 5000), 'model says version 3, not the offered 4');
    assert.equal(checkModelHeader(h, 3, 4999), 'model size does not match its header');
    assert.equal(checkModelHeader(new Uint8Array(16), 4, 1), null, 'not a model.bin');
    assert.equal(checkModelHeader(h.subarray(0, 10), 4, 10), null, 'smaller than a header');
  });
});
