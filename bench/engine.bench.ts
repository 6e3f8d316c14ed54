/**
 * The real engine (JerryScript 3.0 + C bindings + POSIX twin, 64 KB JS heap, the static-snapshot app image run in
 * place from a read-only mapping) beside its anchors, in one run:
 *  - LED command latency (command in, state report out), p50/p99: raw broker round trip | V8 board | real engine;
 *  - device-model predictions per second: real engine | the same TypeScript under `node --jitless` | model.h (C);
 *  - JS heap: the engine's own figures (after boot after GC, peak) beside the V8 board's context estimate.
 * Needs JERRYSCRIPT_PATH (the engine is built and cached under dist/engine). Run: npm run bench -- engine
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import * as esbuild from 'esbuild';
import mqtt, { type MqttClient } from 'mqtt';
import { buildDevice } from '../build/bundle.ts';
import { ensureNativeRuntime, jerryscriptPathFromEnv } from '../build/firmware/engine.ts';
import { startEmbeddedBroker } from '../host/broker/embedded.ts';
import { packageRoot as repoRoot } from '../host/paths.ts';
import { trainMeterModel } from '../host/meters/model.ts';
import { modelHeader } from '../host/model/cheader.ts';
import { readModelBin } from '../host/model/reader.ts';
import { loadMeterDataset } from '../host/pipeline/meter/index.ts';
import { SimBoard } from '../host/sim/board.ts';
import { machineLine, percentile } from './machine.ts';

const ROUND_TRIPS = Number(process.env.JW_BENCH_RTT ?? 500);
const PREDICTIONS = Number(process.env.JW_BENCH_PREDICTIONS ?? 20_000);
const HEAP_KB = 64;
const ROOT = repoRoot();

/** stdout (and with `withStderr`, stderr after it: jw-sim logs there, and exits 3 when the app restarts it). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string, withStderr = false): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd, env: { ...process.env, ...env }, timeout: 300_000 });
  if (r.status !== 0 && !(withStderr && r.status === 3)) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  return withStderr ? r.stdout + r.stderr : r.stdout;
}

async function sequential(n: number, send: (i: number) => void, answers: { cb: (i: number) => void }): Promise<number[]> {
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      answers.cb = (k) => k === i && r();
      send(i);
    });
    lat.push(performance.now() - t0);
  }
  return lat.sort((a, b) => a - b);
}

async function ledLatency(url: string, device: string, pub: MqttClient): Promise<number[]> {
  const obs = await mqtt.connectAsync(url, { clientId: `bench-obs-${device}`, reconnectPeriod: 0 });
  await obs.subscribeAsync(`esp/${device}/led/state`, { qos: 1 });
  const answers = { cb: (_i: number) => {} };
  obs.on('message', (_t, p) => {
    const id = (JSON.parse(p.toString()) as { id: string | null }).id;
    if (id) answers.cb(id[0] === 'w' ? -1 : Number(id.slice(1)));
  });
  // Warm-up until the device answers (it is then online and subscribed); ids are never reused (the device
  // applies a repeated id once and answers it once).
  for (let attempt = 0, ok = false; !ok; attempt++) {
    if (attempt > 200) throw new Error(`${device} does not answer LED commands`);
    ok = await new Promise<boolean>((r) => {
      const t = setTimeout(() => r(false), 300);
      answers.cb = (k) => k === -1 && (clearTimeout(t), r(true));
      pub.publish(`esp/${device}/led/set`, `{"state":"toggle","id":"w${attempt}"}`, { qos: 1 });
    });
  }
  const lat = await sequential(ROUND_TRIPS, (i) => pub.publish(`esp/${device}/led/set`, `{"state":"toggle","id":"c${i}"}`, { qos: 1 }), answers);
  await obs.endAsync();
  return lat;
}

async function v8ContextBytes(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  const m = (await vm.measureMemory({ mode: 'detailed', execution: 'eager' })) as unknown as { other: Array<{ jsMemoryEstimate: number }> };
  return m.other.reduce((s, o) => s + o.jsMemoryEstimate, 0);
}

const NODE_RUNNER = `
import { readFileSync } from 'node:fs';
import { openModel, predict } from './device/model/reader.ts';
const [bin, inputs, nStr] = process.argv.slice(2);
const b = readFileSync(bin);
const m = openModel(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
const xi = readFileSync(inputs);
const X = new Float32Array(xi.buffer.slice(xi.byteOffset + 8, xi.byteOffset + xi.byteLength));
const F = m.nFeatures, rows = X.length / F, n = Number(nStr);
const views = []; for (let i = 0; i < rows; i++) views.push(X.subarray(i * F, (i + 1) * F));
let sum = 0; for (let i = 0; i < rows; i++) sum += predict(m, views[i]) * (i % 7 + 1);
const t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) predict(m, views[i % rows]);
process.stdout.write(JSON.stringify({ perSec: n / (Number(process.hrtime.bigint() - t0) / 1e9), checksum: sum }));
`;

function cMain(rows: number, n: number): string {
  return `#include <stdio.h>
#include <time.h>
#include "model.h"
int main(int argc, char **argv) {
  static float X[${rows} * JW_MODEL_FEATURES];
  FILE *f = fopen(argv[1], "rb");
  if (!f || fseek(f, 8, SEEK_SET) || fread(X, sizeof(float), ${rows} * JW_MODEL_FEATURES, f) != ${rows} * JW_MODEL_FEATURES) return 2;
  uint32_t votes[JW_MODEL_CLASSES];
  double sum = 0;
  for (int i = 0; i < ${rows}; i++) sum += jw_model_predict(&X[i * JW_MODEL_FEATURES], votes) * (i % 7 + 1);
  struct timespec a, b;
  volatile int sink = 0;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < ${n}L; i++) sink += jw_model_predict(&X[(i % ${rows}) * JW_MODEL_FEATURES], votes);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("{\\"perSec\\": %f, \\"checksum\\": %f}", ${n} / ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9), sum);
  return 0;
}
`;
}

function provision(host: string, settings: Record<string, string>): void {
  mkdirSync(join(host, 'nvs-settings'), { recursive: true });
  for (const [k, v] of Object.entries(settings)) writeFileSync(join(host, 'nvs-settings', k), v);
}

function partition(host: string, label: string, bytes: Uint8Array): void {
  mkdirSync(join(host, 'flash'), { recursive: true });
  const img = Buffer.alloc(0x30000, 0xff);
  img.set(bytes);
  writeFileSync(join(host, 'flash', `${label}.bin`), img);
}

async function main(): Promise<void> {
  console.log(machineLine());
  const jp = jerryscriptPathFromEnv();
  if (!jp) {
    console.log('SKIPPED: JERRYSCRIPT_PATH is not set (a JerryScript v3.0.0 checkout; docs/engine.md)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'jw-bench-engine-'));
  const bin = ensureNativeRuntime(jp, HEAP_KB);
  const app = await buildDevice({ root: ROOT, appVersion: 1, outDir: join(dir, 'app') });
  if (app.payloadKind !== 'snapshot') throw new Error('expected a static snapshot image');
  console.log(`engine: JerryScript 3.0.0, ${HEAP_KB} KB JS heap, app image ${(app.imageBytes / 1024).toFixed(1)} KB (static snapshot, ${app.literals} magic strings), run in place from a read-only mapping`);
  const broker = await startEmbeddedBroker();
  const pub = await mqtt.connectAsync(broker.url, { clientId: 'bench-pub', reconnectPeriod: 0 });
  try {
    // --- LED latency: raw broker anchor, V8 board, real engine
    const echo = await mqtt.connectAsync(broker.url, { clientId: 'bench-echo', reconnectPeriod: 0 });
    await echo.subscribeAsync('bench/raw', { qos: 1 });
    const rawAnswers = { cb: (_i: number) => {} };
    echo.on('message', (_t, p) => rawAnswers.cb(Number(p.toString())));
    const rawLat = await sequential(ROUND_TRIPS, (i) => pub.publish('bench/raw', String(i), { qos: 1 }), rawAnswers);
    await echo.endAsync();

    const board = new SimBoard({ deviceId: 'v8', stateDir: null, settings: { deviceId: 'v8', brokerUrl: broker.url, healthSec: 0 } });
    board.boot();
    const v8Lat = await ledLatency(broker.url, 'v8', pub);
    const v8Heap = await v8ContextBytes();
    board.close();

    const host = join(dir, 'host-led');
    provision(host, { 'devId.str': 'eng', 'brokerUrl.str': broker.url, 'healthSec.i32': '1' });
    const child = spawn(bin, ['--image', app.imagePath], { cwd: ROOT, env: { ...process.env, JW_HOST_DIR: host, JW_PARTITIONS: join(ROOT, 'partitions.csv') }, stdio: ['ignore', 'ignore', 'ignore'] });
    const health: Array<{ jsUsed: number; jsPeak: number; jsSize: number }> = [];
    const hobs = await mqtt.connectAsync(broker.url, { clientId: 'bench-health', reconnectPeriod: 0 });
    await hobs.subscribeAsync('esp/eng/health', { qos: 0 });
    hobs.on('message', (_t, p) => health.push((JSON.parse(p.toString()) as { heap: { jsUsed: number; jsPeak: number; jsSize: number } }).heap));
    const engLat = await ledLatency(broker.url, 'eng', pub);
    const n0 = health.length;
    while (health.length < n0 + 2) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    await hobs.endAsync();

    const row = (name: string, lat: number[]) => `${name.padEnd(34)} p50 ${percentile(lat, 50).toFixed(2).padStart(6)} ms   p99 ${percentile(lat, 99).toFixed(2).padStart(6)} ms`;
    console.log(`\nLED command -> state report, ${ROUND_TRIPS} sequential round trips, QoS 1, aedes on loopback`);
    console.log(row('raw broker round trip (anchor)', rawLat));
    console.log(row('V8 board (host/sim)', v8Lat));
    console.log(row('real engine (jw-sim, 64 KB)', engLat));
    console.log(`ratio real engine / raw broker: p50 x${(percentile(engLat, 50) / percentile(rawLat, 50)).toFixed(2)}; real engine / V8 board: p50 x${(percentile(engLat, 50) / percentile(v8Lat, 50)).toFixed(2)}, p99 x${(percentile(engLat, 99) / percentile(v8Lat, 99)).toFixed(2)}`);

    // --- predictions per second
    const { bytes: model } = await trainMeterModel({ samples: 4000, meters: 3, trees: 40, maxDepth: 12, version: 1 });
    const all = (await loadMeterDataset({ samples: 500, meters: 2, seed: 99 })).dataset;
    // 64 rows: enough variety, and their views stay small in the device's 64 KB heap.
    const test = { nRows: Math.min(64, all.nRows), X: all.X.subarray(0, Math.min(64, all.nRows) * all.nFeatures) };
    const inputs = Buffer.alloc(8 + test.X.byteLength);
    inputs.writeUInt32LE(test.nRows, 0);
    inputs.writeUInt32LE(PREDICTIONS, 4);
    Buffer.from(test.X.buffer, test.X.byteOffset, test.X.byteLength).copy(inputs, 8);
    if (inputs.length > 0x30000) throw new Error('inputs do not fit model_b');
    writeFileSync(join(dir, 'model.bin'), model);
    writeFileSync(join(dir, 'inputs.bin'), inputs);
    const predApp = await buildDevice({ root: ROOT, appVersion: 1, outDir: join(dir, 'pred'), entry: 'bench/fixtures/engine-predict.ts' });
    const ph = join(dir, 'host-pred');
    partition(ph, 'model_a', model);
    partition(ph, 'model_b', inputs);
    const out = run(bin, ['--image', predApp.imagePath, '--run-for', '120000'], { JW_HOST_DIR: ph, JW_PARTITIONS: join(ROOT, 'partitions.csv') }, ROOT, true);
    const m = /PRED (\{[^}]*\})/.exec(out);
    if (!m) throw new Error(`no result from the engine:\n${out}`);
    const engine = JSON.parse(m[1]!) as { perSec: number; checksum: number };
    await esbuild.build({ stdin: { contents: NODE_RUNNER, resolveDir: ROOT, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', target: 'es2020', outfile: join(dir, 'runner.mjs'), logLevel: 'silent' });
    const jitless = JSON.parse(run(process.execPath, ['--jitless', join(dir, 'runner.mjs'), join(dir, 'model.bin'), join(dir, 'inputs.bin'), String(PREDICTIONS * 5)])) as { perSec: number; checksum: number };
    writeFileSync(join(dir, 'model.h'), modelHeader(readModelBin(model)));
    writeFileSync(join(dir, 'main.c'), cMain(test.nRows, PREDICTIONS * 50));
    run('gcc', ['-O2', '-o', join(dir, 'predict'), join(dir, 'main.c'), '-lm'], {}, dir);
    const c = JSON.parse(run(join(dir, 'predict'), [join(dir, 'inputs.bin')])) as { perSec: number; checksum: number };
    const fmt = (v: number) => `${Math.round(v).toLocaleString('en-US')}/s`;
    console.log(`\ndevice-model predictions (40 trees, depth <= 12, ${test.nRows} feature rows), labels ${engine.checksum === jitless.checksum && c.checksum === jitless.checksum ? 'identical in all three' : 'DIFFER'}`);
    console.log(`real engine ${fmt(engine.perSec)} | node --jitless ${fmt(jitless.perSec)} | model.h gcc -O2 ${fmt(c.perSec)}`);
    console.log(`ratio: node --jitless / real engine x${(jitless.perSec / engine.perSec).toFixed(1)}; C / real engine x${(c.perSec / engine.perSec).toFixed(0)}`);

    // --- heap
    const after = health[0]!;
    console.log(`\nJS heap: real engine ${(after.jsSize / 1024).toFixed(0)} KB heap, after boot after GC ${(after.jsUsed / 1024).toFixed(1)} KB, peak ${(Math.max(...health.map((h) => h.jsPeak)) / 1024).toFixed(1)} KB; ` +
      `V8 board context (V8's estimate after GC) ${(v8Heap / 1024).toFixed(0)} KB`);
    console.log('the enforced limits (test/engine/heap-budget.test.ts, 64 KB heap): after boot <= 24 KB, steady state <= 32 KB, OTA peaks <= 48 KB');
    if (engine.checksum !== jitless.checksum || c.checksum !== jitless.checksum) process.exitCode = 1;
  } finally {
    await pub.endAsync();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
