/**
 * The bundle rewrites a static snapshot needs (build/lower-arrows.ts, build/static-literals.ts), checked by running
 * the code before and after on V8: same results, no arrow left, no literal the engine refuses left.
 */
import assert from 'node:assert/strict';
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import { lowerArrows } from '../../build/lower-arrows.ts';
import { DIRECT_INT_MAX, exactExpression, refuseExecutableFunctions, rewriteForStaticSnapshot, StaticLiteralError } from '../../build/static-literals.ts';

const PROGRAM = `(function(){
  class Base { constructor(f) { this.f = f; } }
  class Derived extends Base {
    constructor(x) { super(() => 2 * x); this.x = x; this.g = (a, b = 3) => a + b + this.x; }
    later() { return [1, 2].map((v) => v + this.x).concat([3].map(v => ({ v }))); }
    async run() { const h = async (n) => { await null; return n + this.x; }; return h(1); }
  }
  const d = new Derived(5);
  const nested = (a) => (b) => (c) => a + b + c;
  const crc = 0xEDB88320 ^ 4294967295, big = 2 ** 31, tiny = 0.001, neg = -1e18, frac = 3.14159;
  const re = /^(\\d+)(?:-(\\d+))?$/.exec('12-15'), flags = /a+/gi;
  return Promise.all([d.run()]).then((r) => [d.f(), d.g(1), d.g(1, 1), d.g.length, d.later(), r[0], nested(1)(2)(3),
    crc, big, tiny, neg, frac, re.slice(1), flags.flags, flags.source]);
})()`;

async function run(code: string): Promise<unknown> {
  return await (0, eval)(code);
}

function literalsLeft(code: string): { arrows: number; regexps: number; bigNumbers: number } {
  const n = { arrows: 0, regexps: 0, bigNumbers: 0 };
  walk.full(acorn.parse(code, { ecmaVersion: 2022 }), (node) => {
    if (node.type === 'ArrowFunctionExpression') n.arrows++;
    const lit = node as acorn.Literal;
    if (node.type === 'Literal' && lit.regex) n.regexps++;
    if (node.type === 'Literal' && typeof lit.value === 'number' && !(Number.isInteger(lit.value) && lit.value <= DIRECT_INT_MAX)) n.bigNumbers++;
  });
  return n;
}

describe('static snapshot rewrites of the bundle', () => {
  it('lowers every arrow function, binding this only where it is used, with the same results (derived constructors too)', async () => {
    const lowered = lowerArrows(PROGRAM);
    assert.equal(literalsLeft(lowered.code).arrows, 0);
    assert.ok(lowered.arrows >= 9 && lowered.bound === 3 && lowered.bound < lowered.arrows, `${lowered.arrows} arrows, ${lowered.bound} bound`);
    assert.deepEqual(await run(lowered.code), await run(PROGRAM));
  });

  it('rewrites RegExp literals and numbers outside the engine\'s direct integers, with the same values', async () => {
    const lowered = lowerArrows(PROGRAM).code;
    const r = rewriteForStaticSnapshot(lowered);
    assert.equal(r.regexps, 2);
    assert.ok(r.numbers >= 5, `${r.numbers} numbers`);
    assert.deepEqual(literalsLeft(r.code), { arrows: 0, regexps: 0, bigNumbers: 0 });
    assert.deepEqual(await run(r.code), await run(PROGRAM));
  });

  it('writes any double exactly from small integers, or refuses it', () => {
    for (const v of [4294967295, 2 ** 31, 2 ** 53 - 1, 1e18, 2 ** 60, 0.001, 1.5e-7, 3.14159, 0.1, 5e-324 * 2 ** 60, 1e300]) {
      let expr: string;
      try {
        expr = exactExpression(v);
      } catch (e) {
        assert.ok(e instanceof StaticLiteralError);
        continue;
      }
      assert.equal(Function(`return ${expr}`)(), v, `${v} -> ${expr}`);
      for (const m of expr.match(/\d+/g) ?? []) assert.ok(Number(m) <= DIRECT_INT_MAX, `${m} in ${expr}`);
    }
  });

  it('refuses async functions and generators (the engine writes into their byte code)', () => {
    assert.throws(() => refuseExecutableFunctions('async function f(){}'), /app.js:1:1: async function/);
    assert.throws(() => refuseExecutableFunctions('var g = function*(){ yield 1 }'), /generator/);
    assert.throws(() => refuseExecutableFunctions(lowerArrows('var h = async () => 1').code), /async function/);
    refuseExecutableFunctions('var p = Promise.resolve(1).then(function(v){ return v })');
  });

  it('fails the build on a BigInt literal and on an arrow using the outer arguments', () => {
    assert.throws(() => rewriteForStaticSnapshot('var a = 10n;'), /BigInt literal 10n/);
    assert.throws(() => lowerArrows('function f(){ return () => arguments[0]; }'), /arguments/);
    // .bind(this) would read this before super(): refused rather than miscompiled.
    assert.throws(() => lowerArrows('class A extends B { constructor(){ super(() => this.x); } }'), /super/);
  });

  it('keeps the source map pointing at the same original positions', () => {
    const code = 'var a=/x+/g,b=()=>4294967295,c=this;';
    // Two segments: column 0, and "c" at column 29 (VLQ "6B") mapping to source column 29.
    assert.equal(code.indexOf('c=this'), 29);
    const map = JSON.stringify({ version: 3, sources: ['s.ts'], names: [], mappings: 'AAAA,6BAA6B' });
    const r = rewriteForStaticSnapshot(lowerArrows(code, map).code, lowerArrows(code, map).map);
    const out = JSON.parse(r.map!).mappings as string;
    const col = r.code.indexOf('c=this');
    // decode the second segment's generated column
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const seg = out.split(',')[1]!;
    let v = 0, shift = 0, i = 0;
    for (; ; i++) { const d = B64.indexOf(seg[i]!); v += (d & 31) << shift; if (d & 32) shift += 5; else break; }
    assert.equal(v >>> 1, col);
  });
});
