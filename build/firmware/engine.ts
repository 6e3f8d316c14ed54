/**
 * build/engine-config.json is the single source of the engine options. This turns it into a JerryScript CMake
 * configuration (host engine + jerry-snapshot); the ESP-IDF component reads the same JSON with CMake string(JSON).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface EngineConfig {
  engine: string;
  profile: string;
  options: Record<string, number>;
  heap: { kconfig: string; defaultKb: number; appBudgetKb: number };
}

const CONFIG_PATH = fileURLToPath(new URL('../engine-config.json', import.meta.url));

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
  'JERRY_LINE_INFO', 'JERRY_ERROR_MESSAGES', 'JERRY_LOGGING', 'JERRY_CPOINTER_32_BIT',
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

/** Where `jerrywatt` builds the host engine and jerry-snapshot: tagged by the configuration hash, so a stale
 * build made with other options is never picked up. */
export function hostEngineDir(jerryscriptPath: string, hash = engineHash()): string {
  return join(jerryscriptPath, 'build', `jerrywatt-${hash.slice(0, 12)}`);
}

/** The cmake configure + build commands for the host engine and the snapshot tool. */
export function hostEngineCommands(jerryscriptPath: string): string[][] {
  const cfg = readEngineConfig();
  const out = hostEngineDir(jerryscriptPath);
  return [
    ['cmake', '-S', jerryscriptPath, '-B', out, '-DCMAKE_BUILD_TYPE=MinSizeRel', '-DJERRY_CMDLINE=OFF',
      '-DJERRY_CMDLINE_SNAPSHOT=ON', '-DJERRY_SNAPSHOT_SAVE=ON', '-DJERRY_EXT=OFF', '-DJERRY_PORT=ON', ...jerryCmakeArgs(cfg)],
    ['cmake', '--build', out, '--parallel'],
  ];
}
