import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CliError } from '../errors.ts';
import { packageRoot as repoRoot } from '../../paths.ts';

/** Each bench/*.bench.ts is a program of its own: run one by name, or all in turn. */
export default function register(program: Command): void {
  program
    .command('bench')
    .description('run benchmarks (bench/*.bench.ts), each side by side with its anchor')
    .argument('[names...]', 'benchmarks to run (default: all)')
    .option('--list', 'list the benchmarks')
    .action((names: string[], opts: { list?: boolean }) => {
      const dir = join(repoRoot(), 'bench');
      if (!existsSync(dir)) throw new CliError('the benchmarks run from a git checkout of jerrywatt (after npm install); an installed package has none');
      const all = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, '')).sort();
      if (opts.list) {
        process.stdout.write(all.join('\n') + '\n');
        return;
      }
      const pick = names.length ? names : all;
      const unknown = pick.filter((n) => !all.includes(n));
      if (unknown.length) throw new CliError(`unknown benchmark ${unknown.join(', ')}; have: ${all.join(', ')}`);
      let failed = 0;
      for (const name of pick) {
        process.stdout.write(`\n== bench ${name} ==\n`);
        const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(dir, `${name}.bench.ts`)], { stdio: 'inherit', cwd: repoRoot() });
        if (r.status !== 0) failed++;
      }
      if (failed) throw new CliError(`${failed} benchmark(s) failed`);
    });
}
