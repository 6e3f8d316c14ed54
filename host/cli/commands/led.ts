import type { Command } from 'commander';
import { CliError } from '../errors.ts';

export default function register(program: Command): void {
  program
    .command('led')
    .description('led (in progress)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('led: not built yet', 2);
    });
}
