/** `jerrywatt trace`: device frames "app.js:L:C" map back to the TypeScript line that threw. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { loadMap, traceText } from '../../host/flash/trace.ts';

describe('jerrywatt trace (source map lookup)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jw-trace-'));
  const src = join(dir, 'thrower.ts');
  writeFileSync(
    src,
    ['export function a(x: number): number {', '  return x * 2;', '}', 'export function explode(): never {', "  throw new Error('kaboom');", '}', 'a(1);', 'explode();', ''].join('\n'),
  );
  const out = join(dir, 'app.js');

  before(async () => {
    await esbuild.build({ entryPoints: [src], outfile: out, bundle: true, minify: true, format: 'iife', sourcemap: 'external', target: 'es2020', logLevel: 'silent' });
  });

  it('maps the column of the throw in the minified bundle to thrower.ts line 5', () => {
    const js = readFileSync(out, 'utf8');
    const idx = js.indexOf('throw');
    const before = js.slice(0, idx).split('\n');
    const line = before.length;
    const col = before[before.length - 1]!.length + 1;
    const mapped = traceText(`Error: kaboom\n  at app.js:${line}:${col}\n`, loadMap(out + '.map'));
    assert.match(mapped, /thrower\.ts:5:\d+/);
    assert.match(mapped, new RegExp(`\\(app\\.js:${line}:${col}\\)`));
  });

  it('leaves other text alone and maps frames with a path prefix', () => {
    const map = loadMap(out + '.map');
    assert.equal(traceText('no frames here', map), 'no frames here');
    assert.match(traceText('at /spiffs/app.js:1:1', map), /thrower\.ts:\d+:\d+/);
  });
});
