import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder until the firmware issue lands; the firmware helper replaces this file.
export default function register(program: Command): void {
  program
    .command('trace')
    .description('trace (not built yet: see the firmware issue)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('trace: not built yet', 2);
    });
}
