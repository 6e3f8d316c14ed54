/**
 * build/engine-config.json is the single source of the engine options. This turns it into a JerryScript CMake
 * configuration and builds the host engine (libjerry-core, libjerry-port) and `jerry-snapshot` OUT OF TREE,
 * cached under dist/engine/ (or $JW_ENGINE_CACHE) by a hash of everything that makes the build: the options file,
 * the heap size and the JerryScript commit. The JerryScript checkout itself is never written to (it may be
 * read-only, as CI's is). The ESP-IDF component reads the same JSON with CMake string(JSON).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../host/paths.ts';

export interface EngineConfig {
  engine: string;
  profile: string;
  options: Record<string, number>;
  heap: { kconfig: string; defaultKb: number; appBudgetKb: number };
}

const CONFIG_PATH = fileURLToPath(new URL('../engine-config.json', import.meta.url));
const REPO_ROOT = packageRoot();

/** The heap of the build that generates snapshots: parsing the whole bundle needs more than a device heap, and
 * the heap size changes nothing in the snapshot format (the options that do are all the same). */
export const GENERATOR_HEAP_KB = 512;

export function readEngineConfig(path = CONFIG_PATH): EngineConfig {
  return JSON.parse(readFileSync(path, 'utf8')) as EngineConfig;
}

/** Same value as build/app-image.ts engineConfigHash(): the first 16 bytes of SHA-256 of the file, hex. */
export function engineHash(path = CONFIG_PATH): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 32);
}

/** Options that are CMake cache variables of JerryScript 3.0 (jerry-core/CMakeLists.txt); others are C defines. */
const CMAKE_OPTIONS = new Set([
  'JERRY_SNAPSHOT_EXEC', 'JERRY_SNAPSHOT_SAVE', 'JERRY_MEM_STATS', 'JERRY_VM_HALT', 'JERRY_PROMISE_CALLBACK',
  'JERRY_LINE_INFO', 'JERRY_ERROR_MESSAGES', 'JERRY_LOGGING', 'JERRY_CPOINTER_32_BIT', 'JERRY_VM_THROW',
]);

/** `cmake` arguments for a JerryScript build with exactly these options (plus what the caller adds). */
export function jerryCmakeArgs(cfg: EngineConfig, heapKb = cfg.heap.defaultKb): string[] {
  const args = [`-DJERRY_PROFILE=${cfg.profile}`, `-DJERRY_GLOBAL_HEAP_SIZE=(${heapKb})`];
  const defines: string[] = [];
  for (const [k, v] of Object.entries(cfg.options)) {
    if (CMAKE_OPTIONS.has(k)) args.push(`-D${k}=${v ? 'ON' : 'OFF'}`);
    else defines.push(`-D${k}=${v}`);
  }
  if (defines.length) args.push(`-DEXTERNAL_COMPILE_FLAGS=${defines.join(';')}`);
  return args;
}

/** JERRYSCRIPT_PATH resolved (a relative path is taken from the current directory, as a shell would). */
export function jerryscriptPathFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  return env.JERRYSCRIPT_PATH ? resolve(env.JERRYSCRIPT_PATH) : null;
}

export class EngineBuildError extends Error {}

export function checkJerryscriptPath(jerryscriptPath: string): void {
  if (!existsSync(join(jerryscriptPath, 'jerry-core', 'include', 'jerryscript.h')))
    throw new EngineBuildError(`JERRYSCRIPT_PATH=${jerryscriptPath} is not a JerryScript v3.0.0 checkout (docs/firmware.md)`);
}

function jerryCommit(jerryscriptPath: string): string {
  const f = join(jerryscriptPath, 'JERRYSCRIPT_COMMIT');
  if (existsSync(f)) return readFileSync(f, 'utf8').trim();
  const r = spawnSync('git', ['-C', jerryscriptPath, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.JW_ENGINE_CACHE ? resolve(env.JW_ENGINE_CACHE) : join(REPO_ROOT, 'dist', 'engine');
}

/** cmake arguments of the host build (engine libraries + jerry-snapshot) at one heap size. */
function hostCmakeArgs(heapKb: number): string[] {
  return ['-DCMAKE_BUILD_TYPE=MinSizeRel', '-DJERRY_CMDLINE=OFF', '-DJERRY_CMDLINE_SNAPSHOT=ON', '-DJERRY_SNAPSHOT_SAVE=ON',
    '-DJERRY_EXT=OFF', '-DJERRY_PORT=ON', ...jerryCmakeArgs(readEngineConfig(), heapKb)];
}

/** Where the host engine of this configuration and heap size is built: the name carries the configuration hash,
 * the heap size and a hash of the whole recipe, so a stale build made with other options is never picked up. */
export function hostEngineDir(jerryscriptPath: string, heapKb = readEngineConfig().heap.defaultKb, env: NodeJS.ProcessEnv = process.env): string {
  const recipe = createHash('sha256').update(JSON.stringify([hostCmakeArgs(heapKb), jerryCommit(jerryscriptPath)])).digest('hex');
  return join(cacheRoot(env), `${engineHash().slice(0, 12)}-${heapKb}k-${recipe.slice(0, 8)}`);
}

/** The cmake configure + build commands for the host engine and the snapshot tool (docs/firmware.md prints them). */
export function hostEngineCommands(jerryscriptPath: string, heapKb = readEngineConfig().heap.defaultKb, out = hostEngineDir(jerryscriptPath, heapKb)): string[][] {
  const gen = spawnSync('ninja', ['--version'], { stdio: 'ignore' }).status === 0 ? ['-G', 'Ninja'] : [];
  return [
    ['cmake', '-S', jerryscriptPath, '-B', out, ...gen, ...hostCmakeArgs(heapKb)],
    ['cmake', '--build', out, '--parallel'],
  ];
}

/** A shell line for a command, quoted so it pastes (the heap size's parentheses are shell syntax). */
export function shellQuote(cmd: string[]): string {
  return cmd.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export interface HostEngine {
  dir: string;
  heapKb: number;
  coreLib: string;
  portLib: string;
  include: string;
  snapshotTool: string;
}

function engineAt(dir: string, jerryscriptPath: string, heapKb: number): HostEngine {
  return {
    dir,
    heapKb,
    coreLib: join(dir, 'lib', 'libjerry-core.a'),
    portLib: join(dir, 'lib', 'libjerry-port.a'),
    include: join(jerryscriptPath, 'jerry-core', 'include'),
    snapshotTool: join(dir, 'bin', 'jerry-snapshot'),
  };
}

/**
 * The host engine at this heap size, built once and cached. Built in a private directory
 * and renamed into place, so concurrent callers never see half a build.
 */
export function ensureHostEngine(jerryscriptPath: string, heapKb = readEngineConfig().heap.defaultKb): HostEngine {
  if (!Number.isInteger(heapKb) || heapKb < 16 || heapKb > 512) throw new EngineBuildError(`JS heap must be 16..512 KB (16-bit compressed pointers), got ${heapKb}`);
  checkJerryscriptPath(jerryscriptPath);
  const dir = hostEngineDir(jerryscriptPath, heapKb);
  const done = join(dir, 'jerrywatt-build.json');
  if (existsSync(done)) return engineAt(dir, jerryscriptPath, heapKb);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  for (const c of hostEngineCommands(jerryscriptPath, heapKb, tmp)) {
    const r = spawnSync(c[0]!, c.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new EngineBuildError(`${shellQuote(c)} failed:\n${(r.stdout + r.stderr).split('\n').slice(-30).join('\n')}`);
    }
  }
  writeFileSync(join(tmp, 'jerrywatt-build.json'), JSON.stringify({ heapKb, engineHash: engineHash(), commit: jerryCommit(jerryscriptPath), args: hostCmakeArgs(heapKb) }, null, 2));
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process won the race: its build is the same
  }
  return engineAt(dir, jerryscriptPath, heapKb);
}

/**
 * The C runtime + bindings + engine (native/Makefile `sim`) for one heap size: dist/native/engine-<dir>/jw-sim.
 * make rebuilds it when a C source or the engine library changes.
 */
export function ensureNativeRuntime(jerryscriptPath: string, heapKb = readEngineConfig().heap.defaultKb, root = REPO_ROOT): string {
  const engine = ensureHostEngine(jerryscriptPath, heapKb);
  const out = join(root, 'dist', 'native', `engine-${engine.dir.split('/').pop()}`);
  const r = spawnSync('make', ['-C', join(root, 'native'), 'sim', `OUT=${out}`, `JERRYSCRIPT_PATH=${jerryscriptPath}`, `JERRY_OUT=${engine.dir}`, `ENGINE_HASH=${engineHash()}`],
    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new EngineBuildError(`make -C native sim failed:\n${r.stdout}${r.stderr}`);
  return join(out, 'jw-sim');
}
