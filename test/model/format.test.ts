import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainForest } from '../../host/forest/train.ts';
import { predictRows, type ForestModel } from '../../host/forest/model.ts';
import { packModel } from '../../host/model/pack.ts';
import { readModelBin, binVotes } from '../../host/model/reader.ts';
import { modelDigest } from '../../host/model/sha256.ts';
import { exportModel, ModelTooLargeError } from '../../host/model/export.ts';
import { openModel, predict } from '../../device/model/reader.ts';
import { sha256 } from './digest.ts';
import { blobs } from '../forest/fixtures.ts';

const ds = blobs(1200, 11, 4, 6);
let model: ForestModel;

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Re-seal a tampered file so that only the structural checks can catch it. */
function reseal(b: Uint8Array): Uint8Array {
  b.set(modelDigest(b), 32);
  return b;
}

describe('model.bin', () => {
  before(async () => {
    const rows = Int32Array.from({ length: 1000 }, (_, i) => i);
    model = await trainForest(
      { X: ds.X, nFeatures: ds.nFeatures, featureNames: ds.featureNames, labels: ds.classIdx, classes: ds.classes, target: 'class', rows },
      { trees: 15, maxDepth: 9, minLeaf: 2, maxBins: 256, classWeight: 'balanced', seed: 3, workers: 1 },
    );
  });

  it('float32: host model = host reader = device reader on every row, votes included', () => {
    const bytes = packModel(model).bytes;
    const host = readModelBin(bytes);
    const dev = openModel(toArrayBuffer(bytes), 0, undefined, sha256);
    const ref = predictRows(model, ds.X, ds.nRows, ds.nFeatures);
    const votes = new Float64Array(ds.classes.length);
    for (let r = 0; r < ds.nRows; r++) {
      const x = ds.X.subarray(r * ds.nFeatures, (r + 1) * ds.nFeatures);
      const h = binVotes(host, x, votes);
      const d = predict(dev, x);
      assert.equal(h, ref.cls[r], `host reader vs model, row ${r}`);
      assert.equal(d, h, `device vs host reader, row ${r}`);
      for (let c = 0; c < votes.length; c++) assert.equal(dev.votes[c], votes[c]);
      assert.equal(votes[ref.cls[r]!]! / (15 * 255), ref.proba[r * votes.length + ref.cls[r]!]);
    }
    assert.deepEqual(dev.featureNames, ds.featureNames);
    assert.deepEqual(dev.classes, ds.classes);
  });

  it('int16: device reader = host reader on every row; accuracy moves little', () => {
    const bytes = packModel(model, { quantize: 'int16' }).bytes;
    assert.ok(bytes.length < packModel(model).bytes.length);
    const host = readModelBin(bytes);
    const dev = openModel(toArrayBuffer(bytes), 0, undefined, sha256);
    const ref = predictRows(model, ds.X, ds.nRows, ds.nFeatures);
    const votes = new Float64Array(ds.classes.length);
    let same = 0;
    for (let r = 0; r < ds.nRows; r++) {
      const x = ds.X.subarray(r * ds.nFeatures, (r + 1) * ds.nFeatures);
      const h = binVotes(host, x, votes);
      assert.equal(predict(dev, x), h, `row ${r}`);
      if (h === ref.cls[r]) same++;
    }
    assert.ok(same / ds.nRows > 0.98, `int16 agrees with float32 on ${same}/${ds.nRows}`);
  });

  it('packs compactly: de-duplicated leaves, at most 8 bytes per tree node', () => {
    const p = packModel(model);
    const leaves = model.trees.reduce((a, t) => a + t.leaves.length / model.classes.length, 0);
    assert.ok(p.header.nLeaves < leaves / 2, `${p.header.nLeaves} unique of ${leaves}`);
    assert.ok(p.bytesPerNode <= 8, `${p.bytesPerNode} B/node`);
    assert.equal(p.header.totalSize, p.bytes.length);
  });

  it('the device SHA-256 matches node:crypto', () => {
    const b = packModel(model).bytes;
    assert.deepEqual(Array.from(sha256(b, 32, 64)), Array.from(modelDigest(b)));
    assert.equal(Buffer.from(sha256(new TextEncoder().encode('abc'))).toString('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('refuses corrupt files, other format versions and bad links, with a clear message', () => {
    const good = packModel(model).bytes;
    const flip = good.slice();
    flip[flip.length - 10]! ^= 0x55;
    assert.throws(() => readModelBin(flip), /SHA-256 mismatch/);
    assert.throws(() => openModel(toArrayBuffer(flip), 0, undefined, sha256), /SHA-256 mismatch/);
    const v2 = good.slice();
    v2[4] = 2;
    assert.throws(() => readModelBin(reseal(v2)), /format version 2/);
    assert.throws(() => openModel(toArrayBuffer(v2), 0, undefined, sha256), /format version 2/);
    assert.throws(() => readModelBin(good.subarray(0, 100)), /truncated|bytes/);
    assert.throws(() => openModel(toArrayBuffer(good.slice(0, 100)), 0, undefined, sha256), /truncated/);
    const magic = good.slice();
    magic[0] = 0x58;
    assert.throws(() => readModelBin(magic), /magic/);
    assert.throws(() => openModel(toArrayBuffer(magic), 0, undefined, sha256), /magic/);
    // A loop: node 0's left child pointing back at itself, correctly sealed.
    const h = readModelBin(good);
    const loop = good.slice();
    const dv = new DataView(loop.buffer);
    const leftOffset = findLeftSection(good, h.left);
    dv.setInt16(leftOffset, 0, true);
    reseal(loop);
    assert.throws(() => readModelBin(loop), /bad child link/);
    assert.throws(() => openModel(toArrayBuffer(loop), 0, undefined, sha256), /bad link/);
  });

  it('export writes bin, C header and JSON, and refuses a model larger than the slot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jw-export-'));
    const parts = join(dir, 'partitions.csv');
    writeFileSync(parts, '# Name, Type, SubType, Offset, Size, Flags\nmodel_a, data, 0x41, 0x380000, 0x30000,\nmodel_tiny, data, 0x41, 0x3b0000, 0x400,\n');
    const r = await exportModel(model, { outDir: dir, partitionsCsv: parts });
    assert.equal(r.slotBytes, 0x30000);
    assert.deepEqual(new Uint8Array(readFileSync(r.files.bin)), packModel(model).bytes);
    assert.match(readFileSync(r.files.header, 'utf8'), /jw_model_predict/);
    assert.equal(JSON.parse(readFileSync(r.files.json, 'utf8')).header.nTrees, 15);
    await assert.rejects(exportModel(model, { outDir: join(dir, 'x'), partitionsCsv: parts, slotName: 'model_tiny' }), (e: Error) => e instanceof ModelTooLargeError && /more than the 1024-byte model_tiny slot/.test(e.message));
    assert.equal(existsSync(join(dir, 'x', 'model.bin')), false);
  });
});

/** Offset of the left-link section: the only Int16 run equal to the reader's left array. */
function findLeftSection(bytes: Uint8Array, left: number[]): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  for (let o = 64; o + 2 * left.length <= bytes.length; o += 4) {
    let ok = true;
    for (let i = 0; i < left.length && ok; i++) ok = dv.getInt16(o + 2 * i, true) === left[i];
    if (ok) return o;
  }
  throw new Error('left section not found');
}
