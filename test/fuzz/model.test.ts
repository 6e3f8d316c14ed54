/**
 * Fuzz: model.bin, read from an OTA'd flash slot by the device (device/model/reader.ts) and from a file by the
 * host (host/model/reader.ts). Random forests are packed (host/model/pack.ts) and read back by both readers;
 * damaged files are refused with the reader's named error and never throw anything else or loop.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LEAF_SCALE, forestVotes, type ForestModel, type TreeArrays } from '../../host/forest/model.ts';
import { packModel } from '../../host/model/pack.ts';
import { ModelFormatError, binVotes, readModelBin } from '../../host/model/reader.ts';
import { openModel, predict } from '../../device/model/reader.ts';
import { sha256 } from '../model/digest.ts';
import { fuzz, mutated } from './harness.ts';

type Node = { leaf: number[] } | { f: number; thr: number; l: Node; r: Node };

/** K integers that sum to LEAF_SCALE. */
const leafVotes = (K: number) =>
  fc.array(fc.integer({ min: 0, max: LEAF_SCALE }), { minLength: K - 1, maxLength: K - 1 }).map((cuts) => {
    const s = [0, ...cuts.sort((a, b) => a - b), LEAF_SCALE];
    return s.slice(1).map((v, i) => v - s[i]!);
  });

const treeArb = (F: number, K: number): fc.Arbitrary<Node> =>
  fc.letrec<{ node: Node }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', maxDepth: 5 },
      leafVotes(K).map((leaf) => ({ leaf })),
      fc.record({ f: fc.nat(F - 1), thr: fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), l: tie('node'), r: tie('node') }),
    ),
  })).node;

/** Pre-order arrays: internal nodes numbered on the way down, a negative link ~l is leaf l. */
function flatten(root: Node): TreeArrays {
  const t: TreeArrays = { feature: [], threshold: [], left: [], right: [], leaves: [] };
  const walk = (n: Node): number => {
    if ('leaf' in n) {
      t.leaves.push(...n.leaf);
      return ~(t.leaves.length / n.leaf.length - 1);
    }
    const i = t.feature.length;
    t.feature.push(n.f);
    t.threshold.push(n.thr);
    t.left.push(0);
    t.right.push(0);
    t.left[i] = walk(n.l);
    t.right[i] = walk(n.r);
    return i;
  };
  walk(root);
  return t;
}

const name = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 12 });
const modelArb: fc.Arbitrary<ForestModel> = fc
  .record({ F: fc.integer({ min: 1, max: 6 }), K: fc.integer({ min: 2, max: 4 }), T: fc.integer({ min: 1, max: 4 }), version: fc.integer({ min: 1, max: 1000 }) })
  .chain(({ F, K, T, version }) =>
    fc.record({ trees: fc.array(treeArb(F, K), { minLength: T, maxLength: T }), features: fc.array(name, { minLength: F, maxLength: F }), classes: fc.array(name, { minLength: K, maxLength: K }) }).map(
      ({ trees, features, classes }): ForestModel => ({
        format: 'jerrywatt-forest',
        version,
        target: 'class',
        featureNames: features,
        classes,
        trees: trees.map(flatten),
        importance: features.map(() => 1 / F),
        params: { trainer: 'jerrywatt', trees: T, maxDepth: 5, minLeaf: 1, maxFeatures: F, maxBins: 256, classWeight: 'none', seed: 1 },
      }),
    ),
  );

/** The device reads from flash at a 4-aligned address: a copy in an ArrayBuffer of its own. */
const own = (b: Uint8Array): ArrayBuffer => {
  const ab = new ArrayBuffer(b.length);
  new Uint8Array(ab).set(b);
  return ab;
};
const digest = (bytes: Uint8Array, from: number, to: number) => sha256(bytes, from, to);
const xArb = fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -2e6, max: 2e6 }), { minLength: 6, maxLength: 6 });

describe('fuzz: model.bin (device and host readers)', function () {
  this.timeout(180_000);

  it('packed forests round-trip: both readers see the same model and vote like it', () =>
    fuzz(
      'model: forests round-trip',
      fc.property(modelArb, fc.constantFrom('float32', 'int16') as fc.Arbitrary<'float32' | 'int16'>, xArb, (m, q, x) => {
        const bytes = packModel(m, { quantize: q, modelVersion: m.version }).bytes;
        const bin = readModelBin(bytes);
        const dev = openModel(own(bytes), 0, bytes.length, digest);
        assert.deepEqual([dev.modelVersion, dev.featureNames, dev.classes, dev.nTrees], [m.version, m.featureNames, m.classes, m.trees.length]);
        assert.deepEqual([bin.featureNames, bin.classes], [m.featureNames, m.classes]);
        const votes = new Float64Array(m.classes.length);
        const host = binVotes(bin, x, votes);
        assert.equal(predict(dev, x), host);
        assert.deepEqual(Array.from(dev.votes), Array.from(votes));
        if (q === 'float32') assert.deepEqual(Array.from(votes), Array.from(forestVotes(m, x, new Float64Array(m.classes.length))));
      }),
    ));

  const packed = modelArb.map((m) => packModel(m, { modelVersion: m.version }).bytes);
  it('damaged files: a named refusal or a model that still predicts, never another exception', () =>
    fuzz(
      'model: damaged files',
      fc.property(fc.oneof(mutated(packed), fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.from([0x4a, 0x57, 0x52, 0x46, 1, 0, ...b]))), xArb, (b, x) => {
        try {
          const bin = readModelBin(b);
          binVotes(bin, x, new Float64Array(bin.header.nClasses));
        } catch (e) {
          assert.ok(e instanceof ModelFormatError, `host reader threw ${(e as Error).name}: ${(e as Error).message}`);
        }
        // The device checks structure without the digest here, so the link checks themselves are fuzzed.
        try {
          const dev = openModel(own(b), 0, b.length, false);
          const c = predict(dev, x);
          assert.ok(c >= 0 && c < dev.nClasses);
        } catch (e) {
          assert.ok(e instanceof Error && e.constructor === Error && e.message.startsWith('model refused: '), `device reader threw ${(e as Error).name}: ${(e as Error).message}`);
        }
      }),
    ));
});
