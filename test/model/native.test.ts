import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { trainForest } from '../../host/forest/train.ts';
import { predictRows } from '../../host/forest/model.ts';
import { packModel } from '../../host/model/pack.ts';
import { readModelBin, binVotes } from '../../host/model/reader.ts';
import { modelHeader } from '../../host/model/cheader.ts';
import { engineGuard } from '../../esbuild.config.mjs';
import { blobs } from '../forest/fixtures.ts';

describe('device model reader and C header', () => {
  it('the device reader builds under the JerryScript engine guard (ES2020, no Node, no console)', async () => {
    const r = await esbuild.build({
      stdin: { contents: "import { openModel, predict } from './device/model/reader.ts'; (globalThis as any).m = { openModel, predict };", resolveDir: process.cwd(), loader: 'ts' },
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2020',
      platform: 'neutral',
      minify: true,
      logLevel: 'silent',
      plugins: [engineGuard],
    });
    const size = r.outputFiles[0]!.contents.length;
    assert.ok(size < 8 * 1024, `device model reader is ${size} bytes minified`);
  });

  it('model.h compiles and its C predict agrees with the host model', function () {
    const cc = spawnSync('cc', ['--version']);
    if (cc.error || cc.status !== 0) {
      if (process.env.CI === 'true') assert.fail('a C compiler (cc) is required in CI');
      console.warn('SKIP: no C compiler (cc): model.h not compiled');
      this.skip();
    }
    return (async () => {
      const ds = blobs(400, 21, 3, 4);
      const rows = Int32Array.from({ length: 300 }, (_, i) => i);
      const m = await trainForest(
        { X: ds.X, nFeatures: 4, featureNames: ds.featureNames, labels: ds.classIdx, classes: ds.classes, target: 'class', rows },
        { trees: 6, maxDepth: 6, minLeaf: 2, maxBins: 256, classWeight: 'none', seed: 2, workers: 1 },
      );
      const dir = mkdtempSync(join(tmpdir(), 'jw-cheader-'));
      for (const q of ['float32', 'int16'] as const) {
        const bin = readModelBin(packModel(m, { quantize: q }).bytes);
        writeFileSync(join(dir, 'model.h'), modelHeader(bin));
        const xs = Array.from(ds.X).map((v) => v.toPrecision(9) + 'f');
        writeFileSync(
          join(dir, 'main.c'),
          `#include <stdio.h>\n#include "model.h"\nstatic const float X[] = {${xs.join(',')}};\nint main(void){uint32_t v[JW_MODEL_CLASSES];for(int r=0;r<${ds.nRows};r++)printf("%d\\n",jw_model_predict(&X[r*JW_MODEL_FEATURES],v));return 0;}\n`,
        );
        const build = spawnSync('cc', ['-std=c99', '-Wall', '-Werror', '-O1', '-o', join(dir, 'p'), join(dir, 'main.c'), '-lm'], { encoding: 'utf8' });
        assert.equal(build.status, 0, build.stderr);
        const out = spawnSync(join(dir, 'p'), { encoding: 'utf8' }).stdout.trim().split('\n').map(Number);
        // The C predict equals the host reader of the same model.bin, and (float32) the host model.
        const votes = new Float64Array(ds.classes.length);
        const viaReader = Array.from({ length: ds.nRows }, (_, r) => binVotes(bin, ds.X.subarray(r * 4, r * 4 + 4), votes));
        assert.deepEqual(out, viaReader, q);
        if (q === 'float32') assert.deepEqual(out, Array.from(predictRows(m, ds.X, ds.nRows, 4).cls));
      }
    })();
  });
});

describe('device predict keeps no heap', () => {
  it('rounds of 200,000 predictions retain no heap (gc before and after, in a child with --expose-gc)', function () {
    this.timeout(60_000);
    const script = `
      const { openModel, predict } = await import('./device/model/reader.ts');
      const { packModel } = await import('./host/model/pack.ts');
      const { trainForest } = await import('./host/forest/train.ts');
      const { blobs } = await import('./test/forest/fixtures.ts');
      const ds = blobs(600, 31, 4, 6);
      const m = await trainForest({ X: ds.X, nFeatures: 6, featureNames: ds.featureNames, labels: ds.classIdx, classes: ds.classes, target: 'class', rows: Int32Array.from({ length: 600 }, (_, i) => i) },
        { trees: 10, maxDepth: 8, minLeaf: 1, maxBins: 256, classWeight: 'none', seed: 1, workers: 1 });
      const b = packModel(m, { quantize: process.argv[1] }).bytes;
      const dev = openModel(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      const rows = Array.from({ length: 600 }, (_, r) => ds.X.subarray(r * 6, r * 6 + 6));
      let sum = 0;
      for (let i = 0; i < 20000; i++) sum += predict(dev, rows[i % 600]);
      // Three rounds: V8 may put optimised code or feedback on the heap during one of them (seen: 175 KB once),
      // but a leak of even one byte per prediction grows every round by 200 KB. The smallest growth counts.
      const grew = [];
      for (let round = 0; round < 3; round++) {
        globalThis.gc(); globalThis.gc();
        const before = process.memoryUsage().heapUsed;
        for (let i = 0; i < 200000; i++) sum += predict(dev, rows[i % 600]);
        globalThis.gc(); globalThis.gc();
        grew.push(process.memoryUsage().heapUsed - before);
      }
      process.stdout.write(JSON.stringify({ grew: Math.min(...grew), sum }));
    `;
    for (const q of ['float32', 'int16']) {
      const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script, q], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const { grew, sum } = JSON.parse(r.stdout) as { grew: number; sum: number };
      assert.ok(sum > 0);
      assert.ok(grew < 32 * 1024, `${q}: heap grew by at least ${grew} bytes in every round of 200,000 predictions`);
    }
  });
});
