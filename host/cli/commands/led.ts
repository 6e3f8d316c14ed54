import type { Command } from 'commander';
import { join } from 'node:path';
import { CliError } from '../errors.ts';

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
  senderFile: string;
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
    .option('--username <u>', 'MQTT username (also the sender of the command)')
    .option('--password <p>', 'MQTT password')
    .option('--sender-file <path>', 'where this sender\'s id and last sequence number are kept', join('.jerrywatt', 'led-sender.json'))
    .addHelpText(
      'after',
      '\nEvery command carries an id, its sender (the MQTT username, or an id kept in --sender-file) and a sequence\nnumber: the device applies it exactly once, and drops one older than the last it applied from that sender.\n\nExamples:\n  jerrywatt led on --device dev1\n  jerrywatt led toggle --device all --timeout 2000\n  jerrywatt led on --pin 4 --blink-period 200 --blink-count 5',
    )
    .action(async (state: string, opts: LedCliOptions) => {
      if (state !== 'on' && state !== 'off' && state !== 'toggle') throw new CliError(`state must be on, off or toggle, got "${state}"`);
      const timeoutMs = Number(opts.timeout);
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout must be a positive number of ms, got "${opts.timeout}"`);
      let pin: number | undefined;
      if (opts.pin !== undefined) {
        pin = Number(opts.pin);
        if (!Number.isInteger(pin)) throw new CliError(`--pin must be an integer, got "${opts.pin}"`);
      }
      const blink = opts.blinkPeriod !== undefined ? { periodMs: Number(opts.blinkPeriod), count: Number(opts.blinkCount ?? 3) } : undefined;
      const { sendLedCommand, LedSendError } = await import('../../led/send.ts');
      const { nextSequence } = await import('../../led/sender.ts');
      const { from, seq } = nextSequence(opts.senderFile, opts.username);
      let r;
      try {
        r = await sendLedCommand({ broker: opts.broker, prefix: opts.prefix, device: opts.device, state, pin, blink, timeoutMs, username: opts.username, password: opts.password, from, seq });
      } catch (err) {
        if (err instanceof LedSendError) throw new CliError(`${err.message}. Is \`npm start\` running, or pass --broker URL.`);
        throw err;
      }
      let failed = r.timedOut;
      for (const a of r.answers) {
        if (a.error !== undefined) {
          failed = true;
          process.stderr.write(`${a.device}: error: ${a.error}\n`);
        } else if (a.report) process.stdout.write(`${a.device}: LED on pin ${a.report.pin} is ${a.report.state}${a.report.blinking ? ' (blinking)' : ''}\n`);
      }
      if (r.timedOut) process.stderr.write(`no answer from ${opts.device} within ${timeoutMs} ms: is it running and connected to ${opts.broker}?\n`);
      if (opts.device === 'all') process.stdout.write(`${new Set(r.answers.map((a) => a.device)).size} device(s) answered\n`);
      process.exitCode = failed ? 1 : 0;
    });
}
