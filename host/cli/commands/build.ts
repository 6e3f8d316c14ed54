import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../errors.ts';
import { packageRoot as repoRoot } from '../../paths.ts';

export default function register(program: Command): void {
  program
    .command('build')
    .description('bundle the device app (dist/device/app.js), pack the app image (dist/device/app.img): a static snapshot when JERRYSCRIPT_PATH (or JERRY_SNAPSHOT) gives a generator, else the source; and build the browser dashboard (dist/dashboard/)')
    .option('--app-version <n>', 'app version written into the image (the OTA --version)', '1')
    .option('--source', 'write a source image even when a snapshot generator is available (the V8 board runs only source images)')
    .action(async (opts: { appVersion: string; source?: boolean }) => {
      const appVersion = Number(opts.appVersion);
      if (!Number.isInteger(appVersion) || appVersion < 0) throw new CliError(`--app-version must be a non-negative integer, got "${opts.appVersion}"`);
      // An installed package ships the built app (dist/device/) but neither the device sources nor esbuild.
      if (!existsSync(join(repoRoot(), 'device', 'main.ts'))) {
        throw new CliError(`build needs the device sources: run it in a git checkout of jerrywatt (after npm install); this package already holds a built app in ${join(repoRoot(), 'dist', 'device')}`);
      }
      const { buildDevice, BuildError } = await import('../../../build/bundle.ts');
      try {
        const r = await buildDevice({ root: repoRoot(), appVersion, source: opts.source });
        const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
        const kind = r.payloadKind === 'snapshot' ? `static snapshot, ${r.literals} magic strings` : 'source';
        process.stdout.write(`dist/device/app.js  ${kb(r.bundleBytes)} (budget 64 KB)\ndist/device/app.img ${kb(r.imageBytes)} (${kind}, app version ${appVersion})\n`);
        // The page `sim` and `dashboard` serve; an installed package ships it prebuilt.
        const { buildDashboard } = await import('../../dashboard/build.ts');
        const d = await buildDashboard(repoRoot());
        process.stdout.write(`dist/dashboard/     ${kb(d.bytes)} (the browser dashboard)\n`);
      } catch (err) {
        if (err instanceof BuildError) throw new CliError(err.message);
        throw err;
      }
    });
}
