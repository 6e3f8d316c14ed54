/**
 * Start-up time of `jerrywatt --help`: the compiled package (plain Node on dist/js/, what an installed
 * `jerrywatt` runs) side by side with the anchor, the same program loaded through tsx from the TypeScript
 * sources (what bin/jerrywatt.js ran before the package was compiled, and still runs in a git checkout), and
 * bare `node` as the floor. Interleaved runs, medians.
 *
 *   npm run bench -- startup        (JW_BENCH_STARTS=15 runs of each)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../host/paths.ts';
import { machineLine, percentile } from './machine.ts';

const RUNS = Number(process.env.JW_BENCH_STARTS ?? 15);
const ROOT = packageRoot();
const compiled = join(ROOT, 'dist', 'js', 'host', 'cli', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write(`startup bench: ${compiled} is missing: run npm run build first\n`);
  process.exit(1);
}

const env = { ...process.env };
delete env.NODE_OPTIONS;
const variants: Array<{ name: string; args: string[] }> = [
  { name: 'tsx, from source (anchor: before)', args: ['--import', 'tsx', join(ROOT, 'host', 'cli', 'main.ts'), '--help'] },
  { name: 'compiled dist/js (after)', args: [compiled, '--help'] },
  { name: 'bare node -e 0 (floor)', args: ['-e', '0'] },
];

const times: number[][] = variants.map(() => []);
for (let i = 0; i < RUNS + 1; i++) {
  variants.forEach((v, k) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, v.args, { cwd: ROOT, env, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${v.name} exited ${r.status}: ${r.stderr}`);
    if (k < 2 && !/Usage: jerrywatt/.test(r.stdout)) throw new Error(`${v.name} printed no help`);
    if (i > 0) times[k]!.push(ms); // the first round warms the file cache
  });
}

process.stdout.write(`${machineLine()}\n`);
process.stdout.write(`jerrywatt --help start-up, ${RUNS} runs each, interleaved\n`);
const med = times.map((t) => percentile(t.sort((a, b) => a - b), 50));
variants.forEach((v, k) => {
  const t = times[k]!;
  process.stdout.write(`  ${v.name.padEnd(36)} median ${med[k]!.toFixed(0).padStart(5)} ms   p90 ${percentile(t, 90).toFixed(0).padStart(5)} ms   ${(med[k]! / med[0]!).toFixed(2)}x the anchor\n`);
});
process.stdout.write(`  compiled is ${(med[0]! / med[1]!).toFixed(1)}x faster to start than tsx; ${(med[1]! - med[2]!).toFixed(0)} ms above bare node\n`);
