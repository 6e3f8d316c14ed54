/**
 * What the engine tests need: JERRYSCRIPT_PATH (a JerryScript v3.0.0 checkout; docs/engine.md says where CI
 * takes it) and a C toolchain. Missing: a loud skip, or a failure under CI=true.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { jerryscriptPathFromEnv } from '../../build/firmware/engine.ts';

export function missingEngineTools(): string[] {
  const missing: string[] = [];
  const jp = jerryscriptPathFromEnv();
  if (!jp) missing.push('JERRYSCRIPT_PATH (a JerryScript v3.0.0 checkout, docs/firmware.md)');
  else if (!existsSync(`${jp}/jerry-core/include/jerryscript.h`)) missing.push(`a JerryScript checkout at JERRYSCRIPT_PATH=${jp}`);
  const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
  for (const tool of ['cmake', 'cc', 'make']) if (!has(tool)) missing.push(tool);
  if (!existsSync('/usr/include/mosquitto.h')) missing.push('libmosquitto-dev');
  if (!existsSync('/usr/include/mbedtls/sha256.h')) missing.push('libmbedtls-dev');
  return missing;
}

/** Returns JERRYSCRIPT_PATH, or skips loudly (fails under CI=true). */
export function requireEngine(ctx: Mocha.Context): string {
  const missing = missingEngineTools();
  if (missing.length === 0) return jerryscriptPathFromEnv()!;
  const msg = `the real engine cannot be built: missing ${missing.join(', ')}`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n  !!! SKIPPING: ${msg}\n`);
  ctx.skip();
}
