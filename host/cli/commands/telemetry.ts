import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder until the anomaly-detection issue lands: collect, retrain.
export default function register(program: Command): void {
  for (const name of ['collect', 'retrain']) {
    program
      .command(name)
      .description(`${name} (not built yet: see the anomaly-detection issue)`)
      .allowUnknownOption()
      .action(() => {
        throw new CliError(`${name}: not built yet`, 2);
      });
  }
}
