import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { addConnectionOptions, resolveConnection, type ConnectionFlags } from '../connection.ts';
import { requireId, requirePrefix } from '../ids.ts';

export interface LedCliOptions {
  device: string;
  broker: string;
  prefix: string;
  pin?: string;
  blinkPeriod?: string;
  blinkCount?: string;
  timeout: string;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
}

export default function register(program: Command): void {
  const cmd = program
    .command('led')
    .description('send an LED command to a device and print the state it reports')
    .argument('<state>', 'on | off | toggle')
    .option('-d, --device <id>', 'device id, or "all" for the fleet topic', 'dev1')
    .option('--pin <n>', 'GPIO (must be in the device\'s allow-list)')
    .option('--blink-period <ms>', 'blink with this period before settling')
    .option('--blink-count <n>', 'number of blinks', '3')
    .option('--timeout <ms>', 'how long to wait for the device\'s answer', '5000');
  addConnectionOptions(cmd)
    .addHelpText('after', '\nExamples:\n  jerrywatt led on --device dev1\n  jerrywatt led toggle --device all --timeout 2000\n  jerrywatt led on --pin 4 --blink-period 200 --blink-count 5')
    .action(async (state: string, flags: Omit<LedCliOptions, 'broker' | 'password' | 'ca' | 'cert' | 'key'> & ConnectionFlags) => {
      if (!['on', 'off', 'toggle'].includes(state)) throw new CliError(`state must be on, off or toggle, got "${state}"`);
      const c = await resolveConnection(flags);
      const opts: LedCliOptions = { ...flags, broker: c.url, prefix: c.prefix, username: c.username, password: c.password, ca: c.ca, cert: c.cert, key: c.key };
      if (opts.device !== 'all') requireId('device', opts.device, '--device');
      requirePrefix(opts.prefix);
      const { sendLedCommand } = await import('../../led/send.ts');
      const code = await sendLedCommand(state as 'on' | 'off' | 'toggle', opts);
      process.exitCode = code;
    });
}
