/**
 * JerryScript snapshot of the bundle, made with the user's `jerry-snapshot` when JERRYSCRIPT_PATH provides one
 * built with our engine configuration (build/firmware/engine.ts hostEngineDir), or the one named by
 * JERRY_SNAPSHOT. Otherwise null, and the image carries the source.
 *
 * A snapshot only runs on an engine built with the same options (the engine checks nothing but its format
 * version), which is why the tool is looked up by configuration hash and the image header carries the hash.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { GENERATOR_HEAP_KB, hostEngineDir } from './firmware/engine.ts';

const run = promisify(execFile);

export function findSnapshotTool(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.JERRY_SNAPSHOT) return existsSync(env.JERRY_SNAPSHOT) ? env.JERRY_SNAPSHOT : null;
  if (!env.JERRYSCRIPT_PATH) return null;
  const tool = join(hostEngineDir(resolve(env.JERRYSCRIPT_PATH), GENERATOR_HEAP_KB), "bin", "jerry-snapshot");
  return existsSync(tool) ? tool : null;
}

export async function makeSnapshot(bundlePath: string, env: NodeJS.ProcessEnv = process.env): Promise<Uint8Array | null> {
  const tool = findSnapshotTool(env);
  if (!tool) return null;
  const dir = await mkdtemp(join(tmpdir(), 'jw-snap-'));
  const out = join(dir, 'app.snapshot');
  try {
    await run(tool, ['generate', '-o', out, bundlePath]);
    return new Uint8Array(await readFile(out));
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`jerry-snapshot failed on ${bundlePath}: ${(e.stderr || e.stdout || e.message).trim()}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
