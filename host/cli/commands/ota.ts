import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder until the OTA issue lands: keygen, publish, status.
export default function register(program: Command): void {
  program
    .command('ota')
    .description('OTA over MQTT (not built yet: see the OTA issue)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('ota: not built yet', 2);
    });
}
