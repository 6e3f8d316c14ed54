import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder until the training issue lands: train, fit, export, evaluate.
export default function register(program: Command): void {
  for (const name of ['train', 'fit', 'export', 'evaluate']) {
    program
      .command(name)
      .description(`${name} (not built yet: see the training issue)`)
      .allowUnknownOption()
      .action(() => {
        throw new CliError(`${name}: not built yet`, 2);
      });
  }
}
