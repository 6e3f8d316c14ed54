/**
 * `jerrywatt`: one program, one subcommand per file under ./commands. Each file registers its command
 * and imports its implementation lazily, so `jerrywatt --help` stays fast.
 */
import { Command } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { CliError } from './errors.ts';

const program = new Command('jerrywatt')
  .description('ESP32 power-quality platform: TypeScript device app, simulated board, OTA over MQTT, training pipeline')
  .showHelpAfterError('(add --help for usage)')
  .configureOutput({ outputError: (s, write) => write(s) });

for (const register of COMMANDS) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`jerrywatt: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  throw err;
}
