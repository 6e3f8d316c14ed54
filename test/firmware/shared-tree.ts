/** The vendored trees beside the checkout (../shared: ESP-IDF v5.2.2, JerryScript v3.0.0, idf-check) and the rule
 * for tests that need them: skip loudly when missing, fail under CI=true. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED = resolve(ROOT, '..', 'shared');
export const VENDOR_IDF = join(SHARED, 'vendor', 'esp-idf-v5.2.2');
export const VENDOR_JERRY = join(SHARED, 'vendor', 'jerryscript-v3.0.0');
export const IDF_CHECK = join(SHARED, 'tools', 'idf-check');
/** Debian's Python: ESP-IDF's scripts need the Debian packages of .ci/run (python3-kconfiglib, python3-distutils). */
export const PY = '/usr/bin/python3';
export const NVS_GEN = join(VENDOR_IDF, 'components/nvs_flash/nvs_partition_generator/nvs_partition_gen.py');
export const NVS_TOOL = join(VENDOR_IDF, 'components/nvs_flash/nvs_partition_tool/nvs_tool.py');

/** Skips loudly outside CI, fails in CI, when `missing` is not empty. */
export function requireOrSkip(ctx: Mocha.Context, missing: string[], install: string): void {
  if (missing.length === 0) return;
  const msg = `missing ${missing.join(', ')} (${install})`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n  !!! SKIPPING: ${msg}\n`);
  ctx.skip();
}

/** What ESP-IDF's nvs_partition_gen.py and nvs_tool.py need: the vendored tree and Debian's python3-distutils. */
export function missingNvsTools(): string[] {
  const missing: string[] = [];
  if (!existsSync(NVS_GEN) || !existsSync(NVS_TOOL)) missing.push(`${VENDOR_IDF} (the vendored ESP-IDF beside the checkout)`);
  if (spawnSync(PY, ['-c', 'import distutils.dir_util'], { stdio: 'ignore' }).status !== 0) missing.push('python3-distutils');
  return missing;
}
