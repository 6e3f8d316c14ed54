import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { encodeFrame, readFrame, writeRequest, readRequest, REQUEST_MAX_BYTES, type FrameHeader } from '../../device/ota/frame.ts';
import { parseOffer, judgeManifest, type DeviceFacts } from '../../device/ota/manifest.ts';
import { ChunkWindow } from '../../device/ota/window.ts';
import { buildManifest, signOffer } from '../../host/ota/offer.ts';
import { packAppImage } from '../../build/app-image.ts';
import { makeTestFirmwareImage, checkFirmwareImage } from '../../host/ota/firmware-image.ts';

describe('OTA pure parts', () => {
  it('frames round-trip and refuse bad CRC, length, magic', () => {
    const p = new Uint8Array(300).map((_, i) => i & 0xff);
    const f = encodeFrame(0xdeadbeef, 7, p);
    const h: FrameHeader = { session: 0, index: 0, length: 0, crc: 0 };
    assert.equal(readFrame(f, h), null);
    assert.deepEqual([h.session, h.index, h.length], [0xdeadbeef, 7, 300]);
    const bad = f.slice();
    bad[100]! ^= 1;
    assert.equal(readFrame(bad, h), 'frame CRC mismatch');
    assert.equal(readFrame(f.subarray(0, f.length - 1), h), 'frame length mismatch');
    const m = f.slice();
    m[0] = 0;
    assert.equal(readFrame(m, h), 'bad frame magic');
  });

  it('requests round-trip with up to 16 ranges', () => {
    const buf = new Uint8Array(REQUEST_MAX_BYTES);
    const ranges: Array<[number, number]> = Array.from({ length: 16 }, (_, i) => [i * 100, i + 1]);
    const n = writeRequest(buf, 42, ranges);
    assert.deepEqual(readRequest(buf.subarray(0, n)), { session: 42, ranges });
    assert.equal(typeof readRequest(buf.subarray(0, n - 1)), 'string');
    assert.throws(() => writeRequest(buf, 1, [...ranges, [1, 1]]));
  });

  it('the window never has more than W chunks in flight, re-asks after the timeout, and completes', () => {
    const w = new ChunkWindow(100, 8, 100);
    let now = 0;
    const first = w.next(now)!;
    assert.deepEqual(first, [[0, 8]]);
    assert.equal(w.next(now), null, 'nothing new while the window is full');
    for (let i = 0; i < 3; i++) w.mark(i);
    assert.equal(w.next(now), null, 'waits until half the window is free');
    w.mark(3);
    assert.deepEqual(w.next(now), [[8, 4]]);
    assert.ok(w.inFlight <= 8);
    now = 150; // chunks 4..11 time out
    assert.deepEqual(w.next(now), [[4, 8]]);
    assert.equal(w.mark(4), true);
    assert.equal(w.mark(4), false, 'duplicate');
    for (let i = 0; i < 100; i++) w.mark(i);
    assert.ok(w.complete);
    assert.equal(w.next(now), null);
    assert.ok(w.peakInFlight <= 8);
  });

  it('gaps become several ranges', () => {
    const w = new ChunkWindow(20, 8);
    for (const i of [1, 3, 5]) w.mark(i);
    assert.deepEqual(w.next(0), [[0, 1], [2, 1], [4, 1], [6, 5]]);
  });

  it('offers parse, and the checks run in order: target, expiry, anti-rollback, size, compatibility', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const img = packAppImage(Buffer.alloc(1000), { contractVersion: 1, appVersion: 4, payloadKind: 'source' });
    const m = buildManifest({ kind: 'app', version: 4, image: img, target: { device: 'd1' }, ttlMs: 1000, now: 1000 });
    const o = parseOffer(signOffer(m, privateKey));
    assert.ok(typeof o !== 'string');
    assert.equal(o.manifest.version, 4);
    const facts: DeviceFacts = { deviceId: 'd1', group: '', chip: 'esp32', now: 1500, acceptedVersion: 3, slotSize: 0x30000, contractVersion: 1, engineConfigHash: m.requires.engineConfig!, maxMsg: 8192, dataTopicBytes: 16, formats: { app: 1, model: 1 } };
    assert.equal(judgeManifest(o.manifest, facts), null);
    assert.match(judgeManifest(o.manifest, { ...facts, deviceId: 'd2', acceptedVersion: 9 })!, /wrong device/);
    assert.match(judgeManifest(o.manifest, { ...facts, now: 5000, acceptedVersion: 9 })!, /expired/);
    assert.match(judgeManifest(o.manifest, { ...facts, acceptedVersion: 4, slotSize: 10 })!, /replayed/);
    assert.match(judgeManifest(o.manifest, { ...facts, slotSize: 10, contractVersion: 2 })!, /larger than/);
    assert.match(judgeManifest(o.manifest, { ...facts, contractVersion: 2 })!, /native contract/);
    assert.match(judgeManifest(o.manifest, { ...facts, maxMsg: 4096 })!, /MQTT buffer/);
    assert.equal(parseOffer(new Uint8Array([1, 2, 3])), 'not an offer (magic)');
  });

  it('publish refuses an image whose version disagrees with --version, or a broken firmware image', () => {
    const img = packAppImage(Buffer.alloc(10), { contractVersion: 1, appVersion: 2, payloadKind: 'source' });
    assert.throws(() => buildManifest({ kind: 'app', version: 3, image: img, target: { device: 'x' } }), /says version 2/);
    const fw = makeTestFirmwareImage(4096, 1);
    assert.equal(checkFirmwareImage(fw), null);
    fw[100]! ^= 1;
    assert.throws(() => buildManifest({ kind: 'firmware', version: 1, image: fw, target: { device: 'x' } }), /checksum/);
  });
});
