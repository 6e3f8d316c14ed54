/**
 * Fuzz: what the OTA receiver reads from the network and from flash: signed offers (device/ota/manifest.ts),
 * data frames and chunk requests (device/ota/frame.ts), app-image headers (device/ota/app-header.ts and the
 * host's build/app-image.ts) and model headers (device/ota/model-header.ts).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { MAX_MANIFEST_BYTES, packOffer, parseOffer, type Manifest } from '../../device/ota/manifest.ts';
import { FRAME_HEADER_BYTES, MAX_RANGES, REQUEST_MAX_BYTES, encodeFrame, readFrame, readRequest, writeRequest, type FrameHeader } from '../../device/ota/frame.ts';
import { APP_HEADER_BYTES, checkAppHeader } from '../../device/ota/app-header.ts';
import { MODEL_HEADER_BYTES, checkModelHeader } from '../../device/ota/model-header.ts';
import { manifestBytes } from '../../host/ota/offer.ts';
import { chunkBytes, chunkCount, formatProgress, judgeFrame, parseProgress, type Progress } from '../../device/ota/progress.ts';
import { lastFinalNow } from '../../device/ota/status.ts';
import { ChunkWindow } from '../../device/ota/window.ts';
import { packAppImage, parseAppImageHeader, validateAppImage } from '../../build/app-image.ts';
import { bytesAround, enc, fuzz, mutated, trickyJson } from './harness.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'));
const printableAscii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 24 });

const manifestArb: fc.Arbitrary<Manifest> = fc.record(
  {
    kind: fc.constantFrom('firmware', 'app', 'model'),
    version: fc.integer({ min: 1, max: 0x7fffffff }),
    size: fc.integer({ min: 1, max: 0xffffffff }),
    sha256: hex(32),
    chunk: fc.constantFrom(256, 512, 1024, 2048, 4096),
    session: u32,
    target: fc.oneof(printableAscii.map((device) => ({ device })), printableAscii.map((group) => ({ group }))),
    chip: fc.option(printableAscii, { nil: undefined }),
    requires: fc.record({ contract: fc.option(u32, { nil: undefined }), engineConfig: fc.option(hex(16), { nil: undefined }), format: fc.option(u32, { nil: undefined }) }),
    expires: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
    issued: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
  },
  { noNullPrototype: true },
) as fc.Arbitrary<Manifest>;

function offerBytes(manifest: Uint8Array, signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(6 + manifest.length + signature.length);
  out.set([0x4a, 0x57, 0x4f, 0x46, manifest.length & 0xff, manifest.length >>> 8]);
  out.set(manifest, 6);
  out.set(signature, 6 + manifest.length);
  return out;
}

const signature = fc.uint8Array({ minLength: 8, maxLength: 72 });
const validOffer = fc.tuple(manifestArb, signature).map(([m, s]) => offerBytes(manifestBytes(m), s));
/** Offers whose manifest is any JSON (with keys a manifest has, or tricky ones): the field checks get hammered. */
const jsonOffer = fc
  .tuple(
    fc.dictionary(
      fc.constantFrom('v', 'kind', 'version', 'size', 'sha256', 'chunk', 'session', 'target', 'chip', 'requires', 'expires', 'device', 'group', 'toString', '__proto__'),
      fc.oneof(trickyJson, fc.constantFrom(1, 'app', 4096, { device: 'd' }, { group: 'g' }, { toString: 1 })),
      { maxKeys: 11 },
    ),
    signature,
  )
  .map(([j, s]) => offerBytes(enc(JSON.stringify({ v: 1, ...j })).subarray(0, MAX_MANIFEST_BYTES), s));

describe('fuzz: OTA offers, frames, requests and image headers', function () {
  this.timeout(180_000);

  it('offers: any bytes give an offer or a reason, never an exception', () =>
    fuzz(
      'ota: arbitrary offers',
      fc.property(bytesAround(fc.oneof(validOffer, jsonOffer), 1200), (b) => {
        const r = parseOffer(b);
        assert.ok(typeof r === 'string' ? r.length > 0 : r.manifest.version >= 1);
      }),
    ));

  it('offers: manifests of any JSON (tricky keys, wrong types) give a reason, never an exception', () =>
    fuzz(
      'ota: JSON manifests',
      fc.property(jsonOffer, (b) => {
        const r = parseOffer(b);
        assert.ok(typeof r === 'string' ? r.length > 0 : typeof r.manifest.kind === 'string');
      }),
    ));

  it('offers: a valid one round-trips (manifest fields, signature, packOffer bytes)', () =>
    fuzz(
      'ota: offers round-trip',
      fc.property(manifestArb, signature, (m, s) => {
        const b = offerBytes(manifestBytes(m), s);
        const r = parseOffer(b);
        assert.ok(typeof r !== 'string', String(r));
        const want = { ...m, requires: { contract: m.requires.contract, engineConfig: m.requires.engineConfig, format: m.requires.format } };
        assert.deepEqual({ ...r.manifest, target: { ...r.manifest.target }, requires: { ...r.manifest.requires } }, want);
        assert.deepEqual(Buffer.from(r.signature), Buffer.from(s));
        assert.deepEqual(Buffer.from(packOffer(r)), Buffer.from(b));
      }),
    ));

  const frameArb = fc.tuple(u32, u32, fc.uint8Array({ maxLength: 600 })).map(([s, i, p]) => encodeFrame(s, i, p));
  it('frames: any bytes give a header or a reason, never an exception', () =>
    fuzz(
      'ota: arbitrary frames',
      fc.property(bytesAround(frameArb, 700), (b) => {
        const h: FrameHeader = { session: 0, index: 0, length: 0, crc: 0 };
        const r = readFrame(b, h);
        if (r === null) assert.equal(b.length, FRAME_HEADER_BYTES + h.length);
        else assert.ok(r.length > 0);
      }),
    ));

  it('frames: round-trip, and any change to the payload or its length is refused', () =>
    fuzz(
      'ota: frames round-trip',
      fc.property(u32, u32, fc.uint8Array({ minLength: 1, maxLength: 600 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (s, i, p, at, x) => {
        const f = encodeFrame(s, i, p);
        const h: FrameHeader = { session: 0, index: 0, length: 0, crc: 0 };
        assert.equal(readFrame(f, h), null);
        assert.deepEqual([h.session, h.index, h.length], [s, i, p.length]);
        const bad = Uint8Array.from(f);
        bad[FRAME_HEADER_BYTES + (at % p.length)]! ^= x;
        assert.equal(readFrame(bad, h), 'frame CRC mismatch');
        assert.equal(readFrame(f.subarray(0, f.length - 1), h), f.length - 1 < FRAME_HEADER_BYTES ? 'short frame' : 'frame length mismatch');
      }),
    ));

  const rangesArb = fc.array(fc.tuple(u32, fc.integer({ min: 0, max: 0xffff })), { minLength: 1, maxLength: MAX_RANGES });
  it('chunk requests: any bytes give a request or a reason; valid ones round-trip', () =>
    fuzz(
      'ota: requests',
      fc.property(
        bytesAround(fc.tuple(u32, rangesArb).map(([s, r]) => { const o = new Uint8Array(REQUEST_MAX_BYTES); return o.subarray(0, writeRequest(o, s, r)); }), 120),
        u32,
        rangesArb,
        (b, s, ranges) => {
          const r = readRequest(b);
          assert.ok(typeof r === 'string' ? r.length > 0 : r.ranges.length >= 1);
          const o = new Uint8Array(REQUEST_MAX_BYTES);
          assert.deepEqual(readRequest(o.subarray(0, writeRequest(o, s, ranges))), { session: s, ranges });
        },
      ),
    ));

  const cfg = '0123456789abcdef0123456789abcdef';
  const appImage = fc
    .record({ payload: fc.uint8Array({ maxLength: 200 }), contractVersion: u32, appVersion: u32, payloadKind: fc.constantFrom('source', 'snapshot') as fc.Arbitrary<'source' | 'snapshot'>, engineVersion: printableAscii.map((s) => s.slice(0, 23)) })
    .map((o) => ({ ...o, image: new Uint8Array(packAppImage(o.payload, { ...o, engineConfigHash: cfg })) }));

  it('app-image headers: any bytes are refused with a reason (device) or an Error (host), never a crash', () =>
    fuzz(
      'ota: arbitrary app-image headers',
      fc.property(bytesAround(appImage.map((a) => a.image), 340), u32, (b, version) => {
        const out = { payloadSha256: '' };
        const r = checkAppHeader(b, { contract: 1, engineConfig: cfg, version, imageSize: b.length }, out);
        assert.ok(r === null || r.length > 0);
        try {
          const h = parseAppImageHeader(b);
          assert.equal(h.engineConfigHash.length, 32);
          validateAppImage(b, { contractVersion: h.contractVersion, engineConfigHash: h.engineConfigHash, maxBytes: 4096 });
        } catch (e) {
          assert.equal((e as Error).constructor, Error, `unnamed ${(e as Error).name}: ${(e as Error).message}`);
        }
      }),
    ));

  it('app images round-trip through both header readers', () =>
    fuzz(
      'ota: app images round-trip',
      fc.property(appImage, (a) => {
        const h = parseAppImageHeader(a.image);
        assert.deepEqual(
          [h.contractVersion, h.appVersion, h.payloadKind, h.payloadSize, h.engineVersion, h.engineConfigHash, h.payloadSha256],
          [a.contractVersion, a.appVersion, a.payloadKind, a.payload.length, a.engineVersion.replace(/\0+$/, ''), cfg, createHash('sha256').update(a.payload).digest('hex')],
        );
        assert.deepEqual(Buffer.from(validateAppImage(a.image, { contractVersion: a.contractVersion, engineConfigHash: cfg }).payload), Buffer.from(a.payload));
        const out = { payloadSha256: '' };
        assert.equal(checkAppHeader(a.image.subarray(0, APP_HEADER_BYTES), { contract: a.contractVersion, engineConfig: cfg, version: a.appVersion, imageSize: a.image.length }, out), null);
        assert.equal(out.payloadSha256, h.payloadSha256);
      }),
    ));

  it('model headers: any first bytes give null or a reason; a matching header passes', () =>
    fuzz(
      'ota: model headers',
      fc.property(fc.uint8Array({ maxLength: 20 }), u32, u32, (b, version, size) => {
        const r = checkModelHeader(b, version, size);
        assert.ok(r === null || r.length > 0);
        const h = new Uint8Array(MODEL_HEADER_BYTES);
        h.set([0x4a, 0x57, 0x52, 0x46, 1, 0]);
        new DataView(h.buffer).setUint32(8, version, true);
        new DataView(h.buffer).setUint32(12, size, true);
        assert.equal(checkModelHeader(h, version, size), null);
        if (version !== 0) assert.match(checkModelHeader(h, version - 1, size)!, /model says version/);
      }),
    ));

  it('data frames against a transfer: any frame is dropped, a duplicate, or exactly the chunk it says it is', () =>
    fuzz(
      'ota: frames judged against a transfer',
      fc.property(manifestArb, fc.integer({ min: 1, max: 16 }), fc.nat(), fc.uint8Array({ maxLength: 40 }), fc.boolean(), (m0, window, idx, junk, honest) => {
        const m = { ...m0, size: Math.min(m0.size, 20 * m0.chunk) };
        const win = new ChunkWindow(chunkCount(m), window);
        const index = idx % win.total;
        const frame = honest ? encodeFrame(m.session, index, new Uint8Array(chunkBytes(m, index))) : Uint8Array.from([...encodeFrame(m.session, index, junk), ...junk.subarray(0, 1)]);
        const h: FrameHeader = { session: 0, index: 0, length: 0, crc: 0 };
        const v = judgeFrame(frame, h, m, win);
        if (honest) assert.equal(v, null);
        else assert.equal(v, 'drop'); // a byte too many, or a payload of the wrong length
        if (v === null) assert.ok(h.index < win.total && h.length === chunkBytes(m, h.index) && h.session === m.session);
      }),
    ));

  it('saved progress (otaProg) and saved status (otaLast): any stored text reads back or is ignored, never throws', () =>
    fuzz(
      'ota: saved progress and status',
      fc.property(
        fc.oneof(fc.string(), fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.integer().map(String)), { maxLength: 8 }).map((a) => a.join(','))),
        fc.record({ phase: fc.constantFrom('erase', 'download', 'verify', 'pending'), session: u32, done: fc.nat(100000), doneCrc: u32, probeBoots: fc.nat(5), label: fc.constantFrom('ota_0', 'ota_1', 'app_a', 'app_b', 'model_a') }, { noNullPrototype: true }) as fc.Arbitrary<Progress>,
        fc.oneof(fc.string(), trickyJson.map((v) => JSON.stringify(v) ?? '')),
        (text, p, last) => {
          const r = parseProgress(text);
          if (r) assert.ok(Number.isFinite(r.done) && r.session >= 0);
          assert.deepEqual(parseProgress(formatProgress(p)), p);
          const running = { fw: 'ota_0', app: 'app_a', model: '', seq: [1, 2, 3] };
          const j = lastFinalNow(last, running, { peak: 1, held: 2 });
          if (j !== null) assert.deepEqual(JSON.parse(j).running, running);
        },
      ),
    ));

  it('mutated valid offers: never an exception', () =>
    fuzz(
      'ota: mutated offers',
      fc.property(mutated(validOffer), (b) => {
        const r = parseOffer(b);
        assert.ok(typeof r === 'string' || r.manifest.size >= 1);
      }),
    ));
});

describe('fuzz findings, replayed on the simulated board (real bundle)', function () {
  this.timeout(30_000);

  it('an offer whose kind is {"toString":1} is refused with a reason, not a fault and a restart', async () => {
    const { startEmbeddedBroker } = await import('../../host/broker/embedded.ts');
    const { ensureBundle, eventually, makeBoard, Observer } = await import('../spine/util.ts');
    await ensureBundle();
    const broker = await startEmbeddedBroker({ port: 0 });
    const t = makeBoard('fz1', broker.url);
    const obs = await Observer.connect(broker.url, 'esp/fz1/#');
    try {
      t.board.boot();
      await eventually(() => obs.last('esp/fz1/status')?.json?.online, 'fz1 online', { clocks: [t.clock] });
      const manifest = enc('{"v":1,"kind":{"toString":1}}');
      await obs.publish('esp/fz1/ota/offer', Buffer.from(offerBytes(manifest, new Uint8Array(8))));
      const st = await eventually(() => obs.on('esp/fz1/ota/status').find((m) => m.json?.state === 'rejected'), 'the refusal', { clocks: [t.clock] });
      assert.match(st.json.reason, /unknown kind object/);
      assert.equal(t.board.faults, 0);
      assert.equal(t.board.boots, 1);
    } finally {
      await obs.close();
      t.dispose();
      await broker.close();
    }
  });
});
