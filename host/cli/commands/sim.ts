import type { Command } from 'commander';
import { CliError } from '../errors.ts';

export default function register(program: Command): void {
  program
    .command('sim')
    .description('sim (in progress)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('sim: not built yet', 2);
    });
}
