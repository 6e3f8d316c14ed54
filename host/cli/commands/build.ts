import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { repoRoot } from '../paths.ts';

export default function register(program: Command): void {
  program
    .command('build')
    .description('bundle the device app (dist/device/app.js) and pack the app image (dist/device/app.img): a static snapshot when JERRYSCRIPT_PATH (or JERRY_SNAPSHOT) gives a generator, else the source')
    .option('--app-version <n>', 'app version written into the image (the OTA --version)', '1')
    .option('--source', 'write a source image even when a snapshot generator is available (the V8 board runs only source images)')
    .action(async (opts: { appVersion: string; source?: boolean }) => {
      const { buildDevice, BuildError } = await import('../../../build/bundle.ts');
      const appVersion = Number(opts.appVersion);
      if (!Number.isInteger(appVersion) || appVersion < 0) throw new CliError(`--app-version must be a non-negative integer, got "${opts.appVersion}"`);
      try {
        const r = await buildDevice({ root: repoRoot(), appVersion, source: opts.source });
        const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
        const kind = r.payloadKind === 'snapshot' ? `static snapshot, ${r.literals} magic strings` : 'source';
        process.stdout.write(`dist/device/app.js  ${kb(r.bundleBytes)} (budget 64 KB)\ndist/device/app.img ${kb(r.imageBytes)} (${kind}, app version ${appVersion})\n`);
      } catch (err) {
        if (err instanceof BuildError) throw new CliError(err.message);
        throw err;
      }
    });
}
