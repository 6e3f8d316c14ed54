/**
 * Device-side detection cost. Anchor: the exported C header (model.h) compiled with gcc -O2. Same model (a meter
 * model of 40 trees, depth <= 12: the device defaults), same inputs (meter feature rows of fresh synthetic
 * telemetry), same labels (checked). The TypeScript reader runs bundled by esbuild under `node --jitless` (an
 * interpreter, the nearest stand-in for JerryScript; JerryScript itself is not run here) and, for reference, with
 * the JIT. Also: model bytes per node, and JS heap growth over 100,000 predictions and over
 * 100,000 whole samples (payload parse + assembly + features + prediction) in the interpreter.
 * Run: npm run bench -- detect   (JW_BENCH_TREES / JW_BENCH_DEPTH to change the model)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { machineLine } from './machine.ts';
import { trainMeterModel } from '../host/meters/model.ts';
import { loadMeterDataset } from '../host/pipeline/meter/index.ts';
import { packModel } from '../host/model/pack.ts';
import { readModelBin } from '../host/model/reader.ts';
import { modelHeader } from '../host/model/cheader.ts';
import { packageRoot as repoRoot } from '../host/paths.ts';

const PREDICTIONS = 100_000;
const trees = Number(process.env.JW_BENCH_TREES ?? 40);
const maxDepth = Number(process.env.JW_BENCH_DEPTH ?? 12);

const RUNNER = `
import { readFileSync } from 'node:fs';
import { openModel, predict } from './device/model/reader.ts';
import { parseReading } from './device/meter/reading.ts';
import { parseRegisterMap, DEFAULT_REGISTER_MAP } from './device/meter/registers.ts';
import { SampleAssembler } from './device/meter/assembler.ts';
import { MeterFeatures } from './device/meter/features.ts';
import { bindModel, scoreFeatures } from './device/meter/model.ts';
const [bin, inputs, nStr, mode] = process.argv.slice(2);
const b = readFileSync(bin);
const m = openModel(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
const xi = readFileSync(inputs);
const X = new Float32Array(xi.buffer.slice(xi.byteOffset, xi.byteOffset + xi.byteLength));
const F = m.nFeatures;
const rows = X.length / F;
const n = Number(nStr);
const gc = globalThis.gc;
if (mode === 'speed') {
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += predict(m, X.subarray(i * F, (i + 1) * F)) * (i % 7 + 1);
  const views = []; for (let i = 0; i < rows; i++) views.push(X.subarray(i * F, (i + 1) * F));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) predict(m, views[i % rows]);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ perSec: n / s, checksum: sum }));
} else {
  const views = []; for (let i = 0; i < rows; i++) views.push(X.subarray(i * F, (i + 1) * F));
  // Whole-sample path: the payloads of one sample, parsed, assembled, featured and scored as the detector does.
  const map = parseRegisterMap(DEFAULT_REGISTER_MAP);
  const mm = bindModel(m, 'model_a', map.mask);
  const asm = new SampleAssembler(map);
  const feat = new MeterFeatures();
  const r = { register: 0, raw: 0, ts: 0 };
  const regs = [1006, 1007, 1009, 1010, 1011];
  const raws = [5000, 1093, 2300, 5000, 25];
  const payloads = [];
  for (let k = 0; k < 64; k++) for (let j = 0; j < 5; j++) payloads.push(Buffer.from(JSON.stringify({ register: regs[j], raw: raws[j] + (k % 5), ts: 0 })));
  let ts = 1;
  const sample = () => {
    const k = ts & 63;
    for (let j = 0; j < 5; j++) {
      const p = payloads[k * 5 + j];
      parseReading(p, r);
      if (asm.add(r.register, r.raw, ts) === 1) scoreFeatures(mm, feat.update(asm.values));
    }
    ts++;
  };
  const measure = (fn) => {
    for (let i = 0; i < 1000; i++) fn(i);
    gc(); gc();
    const h0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) fn(i);
    const h1 = process.memoryUsage().heapUsed;
    gc(); gc();
    const h2 = process.memoryUsage().heapUsed;
    return { during: h1 - h0, retained: h2 - h0 };
  };
  const pred = measure((i) => predict(m, views[i % rows]));
  const whole = measure(sample);
  process.stdout.write(JSON.stringify({ pred, whole }));
}
`;

function cMain(rows: number, n: number): string {
  return `#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "model.h"
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb");
  static float X[${rows} * JW_MODEL_FEATURES];
  if (!f || fread(X, sizeof(float), ${rows} * JW_MODEL_FEATURES, f) != ${rows} * JW_MODEL_FEATURES) return 2;
  fclose(f);
  uint32_t votes[JW_MODEL_CLASSES];
  double sum = 0;
  for (int i = 0; i < ${rows}; i++) sum += jw_model_predict(&X[i * JW_MODEL_FEATURES], votes) * (i % 7 + 1);
  struct timespec a, b;
  volatile int sink = 0;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < ${n}L; i++) sink += jw_model_predict(&X[(i % ${rows}) * JW_MODEL_FEATURES], votes);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  printf("{\\"perSec\\": %f, \\"checksum\\": %f}", ${n} / s, sum);
  return 0;
}
`;
}

function run(cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error}`);
  return r.stdout;
}

async function main(): Promise<void> {
  console.log(machineLine());
  const dir = mkdtempSync(join(tmpdir(), 'jw-bench-detect-'));
  try {
    const t0 = performance.now();
    const { fit } = await trainMeterModel({ samples: 4000, meters: 3, trees, maxDepth, version: 1, workers: undefined });
    const packed = packModel(fit.model, { modelVersion: 1 });
    const test = (await loadMeterDataset({ samples: 1000, meters: 2, seed: 99 })).dataset;
    console.log(`model: ${fit.model.trees.length} trees, depth <= ${maxDepth}, ${packed.treeNodes} tree nodes (${packed.header.nNodes} internal, ${packed.header.nLeaves} shared leaves), ${test.nFeatures} meter features, trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.log(`model bytes: ${packed.bytes.length} B = ${packed.bytesPerNode.toFixed(2)} B per tree node (float32 thresholds; ${packModel(fit.model, { quantize: 'int16' }).bytesPerNode.toFixed(2)} with int16)`);
    writeFileSync(join(dir, 'model.bin'), packed.bytes);
    writeFileSync(join(dir, 'inputs.bin'), Buffer.from(test.X.buffer, test.X.byteOffset, test.X.byteLength));
    writeFileSync(join(dir, 'model.h'), modelHeader(readModelBin(packed.bytes)));
    await esbuild.build({ stdin: { contents: RUNNER, resolveDir: repoRoot(), loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', target: 'es2020', outfile: join(dir, 'runner.mjs'), logLevel: 'silent' });
    const runner = join(dir, 'runner.mjs');
    const args = [join(dir, 'model.bin'), join(dir, 'inputs.bin'), String(PREDICTIONS)];
    const jitless = JSON.parse(run(process.execPath, ['--jitless', runner, ...args, 'speed']));
    const jit = JSON.parse(run(process.execPath, [runner, ...args, 'speed']));
    let c: { perSec: number; checksum: number } | null = null;
    if (spawnSync('gcc', ['--version']).status === 0) {
      writeFileSync(join(dir, 'main.c'), cMain(test.nRows, PREDICTIONS * 10));
      run('gcc', ['-O2', '-o', join(dir, 'predict'), join(dir, 'main.c'), '-lm'], dir);
      c = JSON.parse(run(join(dir, 'predict'), [join(dir, 'inputs.bin')]));
    } else console.log('gcc not found: the C anchor is skipped (apt-get install gcc)');
    const same = c ? c.checksum === jitless.checksum && jit.checksum === jitless.checksum : jit.checksum === jitless.checksum;
    // Without gcc only the two TS runs were compared: say so rather than claim agreement with the C header.
    const compared = c ? 'TS reader jitless and JIT vs C header' : 'TS reader jitless vs JIT only; C anchor MISSING (no gcc), not compared with model.h';
    console.log(`labels on ${test.nRows} rows: ${same ? 'identical' : 'DIFFER'} (${compared})`);
    const fmt = (v: number) => `${Math.round(v).toLocaleString('en-US')}/s`;
    console.log(`predictions: TS reader node --jitless ${fmt(jitless.perSec)} | TS reader node (JIT) ${fmt(jit.perSec)}${c ? ` | model.h gcc -O2 ${fmt(c.perSec)}` : ''}`);
    if (c) console.log(`ratio: C / jitless TS = ${(c.perSec / jitless.perSec).toFixed(1)}x; C / JIT TS = ${(c.perSec / jit.perSec).toFixed(1)}x`);
    else console.log('ratio: no C anchor in this run (gcc missing): no C / TS figure');
    console.log('note: JerryScript itself is not run here, so no figure of this run is a device figure.');
    const per = (v: number) => `${(v / PREDICTIONS).toFixed(2)} B each`;
    for (const [label, flags] of [['jitless', ['--jitless']], ['JIT', []]] as const) {
      const heap = JSON.parse(run(process.execPath, [...flags, '--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', runner, ...args, 'heap']));
      console.log(`heap (${label}) over ${PREDICTIONS.toLocaleString('en-US')} predictions: +${heap.pred.during} B while running (${per(heap.pred.during)}), retained after GC ${heap.pred.retained} B`);
      console.log(`heap (${label}) over ${PREDICTIONS.toLocaleString('en-US')} whole samples (5 payloads parsed, assembled, featured, scored): +${heap.whole.during} B while running (${per(heap.whole.during)}), retained after GC ${heap.whole.retained} B`);
    }
    console.log('(jitless V8 boxes every non-Smi double it computes in a HeapNumber; the JIT does not: bytes "while running" in the');
    console.log(' interpreter are those boxes, not objects made by our code, and none is retained. JerryScript frees such numbers at once.)');
    if (!same) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
