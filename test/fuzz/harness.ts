/**
 * Property-based fuzzing with fast-check, shared by test/fuzz/*.test.ts. Every property runs FUZZ_RUNS cases
 * (10,000 by default, the floor CI requires), bounded in time, from one seed printed with each count so that
 * any failure replays: FUZZ_SEED=<seed> npx mocha test/fuzz/<file>.test.ts. The seed is fixed by default so
 * CI is deterministic; set FUZZ_SEED to explore elsewhere (FUZZ_SEED=random picks and prints one).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';

const seedEnv = process.env.FUZZ_SEED;
export const SEED = seedEnv === 'random' ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(seedEnv ?? 20261127);
export const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
/** Per property: a property that cannot finish RUNS cases in this time fails (it would not be a fuzz run). */
export const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_MS ?? 30_000);

const counts: Array<{ name: string; runs: number; ms: number }> = [];

/** Runs a property, prints its case count and seed, fails on a counterexample or on too few cases. */
export function fuzz(name: string, property: fc.IProperty<any>): void {
  const t0 = Date.now();
  const d = fc.check(property, { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false });
  const ms = Date.now() - t0;
  if (d.failed) throw new Error(`${name}: ${fc.defaultReportMessage(d) ?? 'failed'}\n(replay: FUZZ_SEED=${SEED})`);
  counts.push({ name, runs: d.numRuns, ms });
  process.stdout.write(`      ${name}: ${d.numRuns} cases in ${ms} ms (seed ${SEED})\n`);
  assert.ok(d.numRuns >= RUNS, `${name}: only ${d.numRuns} of ${RUNS} cases in the ${TIME_LIMIT_MS} ms limit`);
}

/** Bytes that are mostly not what the parser wants, plus the same mutations of `valid` examples. */
export function bytesAround(valid: fc.Arbitrary<Uint8Array>, maxLength = 300): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength }),
    valid,
    mutated(valid),
  );
}

/** A valid example with a few bytes overwritten, inserted, or cut off. */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'cut')), { minLength: 1, maxLength: 4 }))
    .map(([v, edits]) => {
      let b = Uint8Array.from(v);
      for (const [pos, byte, op] of edits) {
        const at = b.length ? pos % (b.length + (op === 'insert' ? 1 : 0)) : 0;
        if (op === 'set' && b.length) b[at] = byte;
        else if (op === 'insert') b = Uint8Array.from([...b.subarray(0, at), byte, ...b.subarray(at)]);
        else if (op === 'cut') b = b.subarray(0, at);
      }
      return b;
    });
}

/** Object keys a peer might use to trip a parser up, besides random ones. */
export const TRICKY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'toJSON', 'hasOwnProperty', 'length'];

/** JSON values with tricky keys mixed in. */
export const trickyJson: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.string(),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...TRICKY_KEYS)), tie('v'), { maxKeys: 5 }),
  ),
})).v;

export const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

after(function () {
  if (!counts.length) return;
  const total = counts.reduce((a, c) => a + c.runs, 0);
  process.stdout.write(`\n  fuzz: ${counts.length} properties, ${total} cases, seed ${SEED}\n`);
});
