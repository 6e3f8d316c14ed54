/**
 * The C parsers under libFuzzer with ASan + UBSan (Debian's clang): the app image header (core/app_image.c), MQTT
 * reassembly (core/mqtt_asm.c) and broker URLs (core/mqtt_url.c), each for FUZZ_C_SECONDS (20 by default) from
 * seed corpora generated here (nothing binary is committed); then the host twin's C unit tests built with the same
 * sanitizers. Harnesses and their Makefile: native/fuzz/. Any sanitizer report, abort or leak fails the test and
 * leaves the crashing input in dist/fuzz/ (replay: dist/fuzz/<fuzzer> <file>).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packAppImage } from '../../build/app-image.ts';
import { packageRoot as repoRoot } from '../../host/paths.ts';
import { make, parseTap, requireCTools } from '../firmware/c-toolchain.ts';
import { startMosquitto, type MosquittoHandle } from '../helpers/mosquitto.ts';
import { SEED } from './harness.ts';

const ROOT = repoRoot();
const FUZZ_DIR = join(ROOT, 'native/fuzz');
const OUT = join(ROOT, 'dist/fuzz');
const SECONDS = Number(process.env.FUZZ_C_SECONDS ?? 20);
const FUZZERS = ['fuzz_app_image', 'fuzz_mqtt_asm', 'fuzz_mqtt_url'] as const;

/** clang with libFuzzer and the sanitizer runtimes (Debian: clang; libclang-rt-dev on newer releases). */
function requireClangFuzzer(ctx: Mocha.Context): void {
  const dir = mkdtempSync(join(tmpdir(), 'jw-clang-'));
  try {
    writeFileSync(join(dir, 'f.c'), '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n');
    const r = spawnSync('clang', ['-fsanitize=fuzzer,address,undefined', '-o', join(dir, 'f'), join(dir, 'f.c')], { encoding: 'utf8' });
    if (r.status === 0) return;
    const msg = `clang with libFuzzer, ASan and UBSan is missing (apt-get install -y clang): ${r.error?.message ?? r.stderr.split('\n')[0]}`;
    if (process.env.CI === 'true') throw new Error(msg);
    console.warn(`\n  !!! SKIPPING: ${msg}\n`);
    ctx.skip();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 8-byte event headers of fuzz_mqtt_asm.c: [mode, total lo, total hi, len, topic/2, offset/4, topic char, flags]. */
function asmEvent(mode: number, total: number, data: Buffer, topicLen = 10, offset4 = 0, flags = 0): Buffer {
  return Buffer.concat([Buffer.from([mode, total & 0xff, total >> 8, data.length, topicLen / 2, offset4, 0x61, flags]), data]);
}

function seeds(): Record<(typeof FUZZERS)[number], Buffer[]> {
  const cfg = '0123456789abcdef0123456789abcdef';
  const image = (payload: string, kind: 'source' | 'snapshot') => packAppImage(Buffer.from(payload), { contractVersion: 3, appVersion: 7, payloadKind: kind, engineConfigHash: cfg });
  const tail = (b: Buffer, maxBytes: number, rl: number) => Buffer.concat([b, Buffer.from([maxBytes, rl])]);
  const good = image('print("hi")', 'source');
  const url = (hostLen: number, s: string) => Buffer.concat([Buffer.from([hostLen]), Buffer.from(s)]);
  const p = (n: number) => Buffer.alloc(n, 0x41);
  return {
    fuzz_app_image: [
      tail(good, 0, 80),
      tail(good, 1, 10),
      tail(image('', 'snapshot'), 0, 95),
      tail(good.subarray(0, 100), 0, 40),
      tail(Buffer.concat([good.subarray(0, 128), p(3)]), 0, 60),
      Buffer.from('0123456789abcdefABCDEF0123456789'),
    ],
    fuzz_mqtt_url: [
      url(63, 'mqtt://127.0.0.1:1883'),
      url(63, 'mqtts://broker.example.com:8883/'),
      url(4, 'mqtt://host'),
      url(63, 'mqtt://h:65535/x'),
      url(63, 'mqtts://a:0'),
      url(63, 'mqtt://:1'),
      url(63, 'mqtt://h:-5'),
      url(63, 'mqtt://h:99999999999999999999'),
    ],
    fuzz_mqtt_asm: [
      asmEvent(0, 5, p(5)),
      Buffer.concat([asmEvent(0, 300, p(100)), asmEvent(5, 300, p(100)), asmEvent(5, 300, p(100))]),
      Buffer.concat([asmEvent(0 | 8, 400, p(199)), asmEvent(5, 400, p(199)), asmEvent(5, 400, p(2)), asmEvent(0 | 8, 400, p(199)), asmEvent(5, 400, p(199)), asmEvent(5, 400, p(2)), asmEvent(0, 400, p(10))]),
      Buffer.concat([asmEvent(0, 900, p(100)), asmEvent(5, 900, p(100))]),
      Buffer.concat([asmEvent(0, 50, p(10), 510), asmEvent(3, 50, p(10)), asmEvent(6, 50, p(10), 10, 3)]),
    ],
  };
}

function runFuzzer(name: string): Promise<{ code: number | null; runs: number; out: string }> {
  return new Promise((resolve) => {
    const corpus = join(OUT, 'corpus', name);
    const p = spawn(join(OUT, name), [`-max_total_time=${SECONDS}`, `-seed=${SEED}`, '-print_final_stats=1', '-detect_leaks=1', `-artifact_prefix=${OUT}/${name}-`, corpus], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out = (out + d).slice(-20000)));
    p.stderr.on('data', (d) => (out = (out + d).slice(-20000)));
    const kill = setTimeout(() => p.kill('SIGKILL'), (SECONDS + 60) * 1000);
    p.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, runs: Number(/stat::number_of_executed_units:\s*(\d+)/.exec(out)?.[1] ?? 0), out });
    });
  });
}

describe('C parsers under libFuzzer + ASan + UBSan, and the C unit tests under the sanitizers', function () {
  this.timeout((SECONDS * FUZZERS.length + 240) * 1000);
  let broker: MosquittoHandle | undefined;
  after(() => broker?.stop());

  before(function () {
    requireCTools(this);
    requireClangFuzzer(this);
  });

  it(`fuzzes each parser for ${SECONDS} s from generated seeds: no crash, no sanitizer report, no leak`, async () => {
    make([`OUT=${OUT}`], FUZZ_DIR);
    for (const [name, list] of Object.entries(seeds())) {
      const dir = join(OUT, 'corpus', name);
      rmSync(dir, { recursive: true, force: true }); // a fresh corpus each run: the counts are this run's
      mkdirSync(dir, { recursive: true });
      list.forEach((b, i) => writeFileSync(join(dir, `seed-${i}`), b));
    }
    // Two at a time: the CI machine has two cores.
    const results = new Map<string, Awaited<ReturnType<typeof runFuzzer>>>();
    const queue = [...FUZZERS];
    await Promise.all([0, 1].map(async () => {
      for (let f = queue.shift(); f; f = queue.shift()) results.set(f, await runFuzzer(f));
    }));
    for (const f of FUZZERS) {
      const r = results.get(f)!;
      process.stdout.write(`      ${f}: ${r.runs} executions in ${SECONDS} s (libFuzzer -seed=${SEED}, ASan+UBSan)\n`);
      assert.equal(r.code, 0, `${f} found a problem:\n${r.out.slice(-6000)}`);
      assert.ok(r.runs > 1000, `${f} hardly ran:\n${r.out.slice(-3000)}`);
    }
  });

  it('the host twin\'s C unit tests pass under ASan + UBSan (including MQTT against mosquitto)', async () => {
    make([`OUT=${OUT}`, 'unit-asan'], FUZZ_DIR);
    broker = await startMosquitto();
    const hostDir = mkdtempSync(join(tmpdir(), 'jw-asan-host-'));
    try {
      const r = spawnSync(join(OUT, 'unit-asan', 'jw-unit'), [], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, JW_TEST_MQTT_PORT: String(broker.port), JW_HOST_DIR: hostDir, JW_PARTITIONS: join(ROOT, 'partitions.csv'), ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1', UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1' },
      });
      const tap = parseTap(r.stdout);
      assert.deepEqual(tap.failed, [], `C tests failed under the sanitizers:\n${r.stdout}\n${r.stderr}`);
      assert.equal(r.status, 0, `jw-unit exited ${r.status} ${r.signal ?? ''}:\n${r.stderr.slice(-6000)}`);
      assert.equal(tap.passed.length, tap.plan, `plan ${tap.plan}, passed ${tap.passed.length}`);
      assert.doesNotMatch(r.stderr, /runtime error|AddressSanitizer|LeakSanitizer/, r.stderr.slice(-6000));
      process.stdout.write(`      ${tap.passed.length} C unit tests passed under ASan + UBSan\n`);
    } finally {
      rmSync(hostDir, { recursive: true, force: true });
    }
  });
});
