/**
 * Built once per test process: the device app as a static-snapshot image (build/snapshot.ts) and the runtime
 * (jw-sim) for a heap size, both from JERRYSCRIPT_PATH with build/engine-config.json.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDevice, type BuildResult } from '../../build/bundle.ts';
import { ensureNativeRuntime } from '../../build/firmware/engine.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const images = new Map<string, Promise<BuildResult>>();

/** A static-snapshot image of `entry` (default: the device app) at this app version. */
export function staticImage(entry = 'device/main.ts', appVersion = 1): Promise<BuildResult> {
  const key = `${entry}@${appVersion}`;
  let p = images.get(key);
  if (!p) {
    const outDir = mkdtempSync(join(tmpdir(), 'jw-engine-build-'));
    // The default budget: the image against the app slot (build/bundle.ts).
    p = buildDevice({ root: ROOT, appVersion, outDir, entry }).then((r) => {
      if (r.payloadKind !== 'snapshot') throw new Error('expected a static snapshot image (is JERRYSCRIPT_PATH set?)');
      return r;
    });
    images.set(key, p);
  }
  return p;
}

export function runtime(jerryscriptPath: string, heapKb = 64): string {
  return ensureNativeRuntime(jerryscriptPath, heapKb, ROOT);
}
