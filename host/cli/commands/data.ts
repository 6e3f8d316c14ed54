import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder until the training issue lands: synth, process.
export default function register(program: Command): void {
  for (const name of ['synth', 'process']) {
    program
      .command(name)
      .description(`${name} (not built yet: see the training issue)`)
      .allowUnknownOption()
      .action(() => {
        throw new CliError(`${name}: not built yet`, 2);
      });
  }
}
