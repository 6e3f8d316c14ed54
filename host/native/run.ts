/**
 * The native board's build: the host engine (JerryScript from JERRYSCRIPT_PATH with build/engine-config.json, at
 * a given JS heap size) and jw-sim, the C runtime + bindings over the POSIX twin (native/Makefile `sim`). Builds
 * live under dist/ (never in the user's JerryScript checkout), keyed by the engine configuration hash and the
 * heap size, and are reused while they exist. host/native/board.ts runs what this builds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EngineBuildError, engineHash, ensureHostEngine, readEngineConfig } from '../../build/firmware/engine.ts';

export class NativeSimError extends Error {}

export interface NativeBuildOptions {
  /** The repository root (native/, dist/). */
  root: string;
  /** A JerryScript v3.0.0 checkout; default $JERRYSCRIPT_PATH. */
  jerryscriptPath?: string;
  /** The engine's JS heap, KB; default the firmware's (build/engine-config.json heap.defaultKb). */
  jsHeapKb?: number;
}

export interface NativeBuild {
  /** The jw-sim executable. */
  binary: string;
  jsHeapKb: number;
  engineDir: string;
}

function sh(cmd: string[], cwd: string): void {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.error) throw new NativeSimError(`${cmd[0]} could not run (${r.error.message}): install it (.ci/run lists what the build needs)`);
  if (r.status !== 0) throw new NativeSimError(`${cmd.join(' ')} failed:\n${r.stdout}${r.stderr}`);
}

export function checkJerryscriptPath(jp: string | undefined): string {
  if (!jp) throw new NativeSimError('the native board needs JERRYSCRIPT_PATH: a JerryScript v3.0.0 checkout (docs/firmware.md)');
  if (!existsSync(join(jp, 'jerry-core', 'include', 'jerryscript.h'))) throw new NativeSimError(`JERRYSCRIPT_PATH=${jp} is not a JerryScript v3.0.0 checkout (docs/firmware.md)`);
  return resolve(jp);
}

export function validHeapKb(kb: number): boolean {
  return Number.isInteger(kb) && kb >= 16 && kb <= 512;
}

/** Builds (or reuses) the engine and jw-sim. Synchronous: it runs cmake and make. */
export function buildNativeSim(o: NativeBuildOptions): NativeBuild {
  const jp = checkJerryscriptPath(o.jerryscriptPath ?? process.env.JERRYSCRIPT_PATH);
  const cfg = readEngineConfig();
  const heapKb = o.jsHeapKb ?? cfg.heap.defaultKb;
  if (!validHeapKb(heapKb)) throw new NativeSimError(`the JS heap must be 16..512 KB, got ${heapKb}`);
  // One engine build per configuration and heap size, shared with `jerrywatt build` and the engine tests.
  let engineDir: string;
  try {
    engineDir = ensureHostEngine(jp, heapKb).dir;
  } catch (e) {
    if (e instanceof EngineBuildError) throw new NativeSimError(e.message);
    throw e;
  }
  // Keyed like the engine: make cannot see a changed configuration hash or engine library, so a new one builds anew.
  const out = join(o.root, 'dist', 'native', `sim-${engineHash().slice(0, 12)}-${heapKb}kb`);
  sh(['make', '-s', '-C', join(o.root, 'native'), 'sim', `OUT=${out}`, `JERRYSCRIPT_PATH=${jp}`, `JERRY_OUT=${engineDir}`, `ENGINE_HASH=${engineHash()}`], o.root);
  return { binary: join(out, 'jw-sim'), jsHeapKb: heapKb, engineDir };
}
