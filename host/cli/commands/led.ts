import type { Command } from 'commander';
import { CliError } from '../errors.ts';
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
}

export default function register(program: Command): void {
  program
    .command('led')
    .description('send an LED command to a device and print the state it reports')
    .argument('<state>', 'on | off | toggle')
    .option('-d, --device <id>', 'device id, or "all" for the fleet topic', 'dev1')
    .option('-b, --broker <url>', 'MQTT broker', 'mqtt://127.0.0.1:1883')
    .option('--prefix <p>', 'topic prefix', 'esp')
    .option('--pin <n>', 'GPIO (must be in the device\'s allow-list)')
    .option('--blink-period <ms>', 'blink with this period before settling')
    .option('--blink-count <n>', 'number of blinks', '3')
    .option('--timeout <ms>', 'how long to wait for the device\'s answer', '5000')
    .option('--username <u>', 'MQTT username')
    .option('--password <p>', 'MQTT password')
    .addHelpText('after', '\nExamples:\n  jerrywatt led on --device dev1\n  jerrywatt led toggle --device all --timeout 2000\n  jerrywatt led on --pin 4 --blink-period 200 --blink-count 5')
    .action(async (state: string, opts: LedCliOptions) => {
      if (!['on', 'off', 'toggle'].includes(state)) throw new CliError(`state must be on, off or toggle, got "${state}"`);
      if (opts.device !== 'all') requireId('device', opts.device, '--device');
      requirePrefix(opts.prefix);
      const { sendLedCommand } = await import('../../led/send.ts');
      const code = await sendLedCommand(state as 'on' | 'off' | 'toggle', opts);
      process.exitCode = code;
    });
}
