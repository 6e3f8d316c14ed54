/**
 * Runs the conformance probe (probe.ts) on a board and returns its results by case id. The probe is bundled
 * like the device app; on the native board it goes into an app image that jw-sim boots.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import { packAppImage } from '../../build/app-image.ts';
import { CONTRACT_VERSION } from '../../bindings/contract.ts';
import { SimBoard } from '../../host/sim/board.ts';
import { NativeBoard } from '../../host/native/board.ts';
import { packageRoot as repoRoot } from '../../host/paths.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';

const PROBE = fileURLToPath(new URL('./probe.ts', import.meta.url));

export async function bundleProbe(): Promise<string> {
  const r = await build({ entryPoints: [PROBE], bundle: true, format: 'iife', target: 'es2020', write: false, logLevel: 'silent' });
  return r.outputFiles[0]!.text;
}

/** aedes refusing subscriptions to conf/refused (SUBACK 0x80), so the probe sees a refusal. */
export async function conformanceBroker(): Promise<EmbeddedBroker> {
  const b = await startEmbeddedBroker();
  (b.aedes as Aedes).authorizeSubscribe = (_client, sub, done) => done(null, sub.topic === 'conf/refused' ? null : sub);
  return b;
}

export type Results = Map<string, string>;

/** Collects "conf <id> <result>" lines until "conf-done" (or the deadline), then stops the board. */
function collector(): { results: Results; done: Promise<void>; line(message: string): void } {
  const results: Results = new Map();
  
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return {
    results,
    done,
    line(message) {
      if (message === 'conf-done') return finish();
      if (message.startsWith('conf-touched ')) return void results.set('(touched)', message.slice(13));
      const m = /^conf (\S+) (.*)$/.exec(message);
      if (m) results.set(m[1]!, m[2]!);
    },
  };
}

async function within(p: Promise<void>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (t = setTimeout(r, ms)))]);
  clearTimeout(t);
}

export async function runOnV8(code: string, brokerUrl: string): Promise<Results> {
  const dir = mkdtempSync(join(tmpdir(), 'jw-conf-v8-'));
  const bundlePath = join(dir, 'probe.js');
  writeFileSync(bundlePath, code);
  const c = collector();
  const board = new SimBoard({ deviceId: 'conf1', stateDir: join(dir, 'state'), bundlePath, settings: { deviceId: 'conf1', brokerUrl } });
  board.on('log', (_l, m) => c.line(m));
  try {
    board.boot();
    await within(c.done, 10_000);
  } finally {
    board.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return c.results;
}

export async function runOnNative(code: string, brokerUrl: string, binary: string): Promise<Results> {
  const dir = mkdtempSync(join(tmpdir(), 'jw-conf-native-'));
  const image = join(dir, 'probe.img');
  writeFileSync(image, packAppImage(Buffer.from(code), { contractVersion: CONTRACT_VERSION, appVersion: 1, payloadKind: 'source' }));
  const c = collector();
  const root = repoRoot();
  const board = new NativeBoard({ deviceId: 'conf1', binary, image, hostDir: join(dir, 'host'), partitionsCsv: join(root, 'partitions.csv'), settings: { deviceId: 'conf1', brokerUrl } });
  board.on('log', (_l, m) => c.line(m));
  try {
    board.boot();
    await within(c.done, 10_000);
  } finally {
    await board.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return c.results;
}
