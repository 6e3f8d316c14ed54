import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { CliError } from '../errors.ts';
import { distPath } from '../../paths.ts';

export default function register(program: Command): void {
  program
    .command('trace')
    .description('map a device stack trace (serial log or error topic) back to TypeScript through dist/device/app.js.map (and app.js beside it): "app.js:L:C" frames (source images) to file:line:column, "fn NAME (app.js)" frames (static snapshots) to the function\'s file:line')
    .argument('[file]', 'text containing device frames (default: stdin)')
    .option('--map <file>', 'source map of the bundle that ran on the device', distPath('device', 'app.js.map'))
    .addHelpText('after', '\nExamples:\n  idf.py monitor | jerrywatt trace\n  mosquitto_sub -t esp/dev1/error | jerrywatt trace\n  jerrywatt trace crash.log')
    .action(async (file: string | undefined, opts: { map: string }) => {
      const { loadMap, traceText } = await import('../../flash/trace.ts');
      if (!existsSync(opts.map)) throw new CliError(`no source map at ${opts.map}: run \`jerrywatt build\` with the same sources the device runs`);
      const map = loadMap(opts.map);
      if (file) {
        if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
        process.stdout.write(traceText(readFileSync(file, 'utf8'), map));
        return;
      }
      // Line by line, so `idf.py monitor | jerrywatt trace` works live.
      const { createInterface } = await import('node:readline');
      for await (const line of createInterface({ input: process.stdin })) process.stdout.write(traceText(line, map) + '\n');
    });
}
