/** What the C tests need from Debian, and the loud-skip / CI-fail rule of the test suite. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mosquittoPath } from '../helpers/mosquitto.ts';

export function missingCTools(): string[] {
  const missing: string[] = [];
  const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  if (!has('cc', ['--version'])) missing.push('gcc');
  if (!has('make', ['--version'])) missing.push('make');
  if (!existsSync('/usr/include/mosquitto.h')) missing.push('libmosquitto-dev');
  if (!existsSync('/usr/include/mbedtls/sha256.h')) missing.push('libmbedtls-dev');
  if (!has('cppcheck', ['--version'])) missing.push('cppcheck');
  if (!mosquittoPath()) missing.push('mosquitto'); // the same lookup as the broker harness
  return missing;
}

/** Skips loudly outside CI, fails in CI (process.env.CI === 'true'). */
export function requireCTools(ctx: Mocha.Context): void {
  const missing = missingCTools();
  if (missing.length === 0) return;
  const msg = `C toolchain incomplete: missing ${missing.join(', ')} (apt-get install -y gcc make libmosquitto-dev libmbedtls-dev cppcheck mosquitto)`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n  !!! SKIPPING: ${msg}\n`);
  ctx.skip();
}

export function make(args: string[], cwd: string): string {
  return execFileSync('make', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface TapResult {
  passed: string[];
  failed: string[];
  skipped: string[];
  plan: number;
}

export function parseTap(out: string): TapResult {
  const r: TapResult = { passed: [], failed: [], skipped: [], plan: -1 };
  for (const line of out.split('\n')) {
    let m = /^not ok \d+ - (.*)$/.exec(line);
    if (m) r.failed.push(m[1]!);
    else if ((m = /^ok \d+ - (.*?) # SKIP/.exec(line))) r.skipped.push(m[1]!);
    else if ((m = /^ok \d+ - (.*)$/.exec(line))) r.passed.push(m[1]!);
    else if ((m = /^1\.\.(\d+)$/.exec(line))) r.plan = Number(m[1]);
  }
  return r;
}
