import type { Command } from 'commander';
import { join } from 'node:path';
import { CliError } from '../errors.ts';
import { addConnectionOptions, resolveConnection, type ConnectionFlags } from '../connection.ts';
import { requireId, requirePrefix } from '../ids.ts';

export interface LedCliOptions {
  device: string;
  pin?: string;
  blinkPeriod?: string;
  blinkCount?: string;
  timeout: string;
  senderFile: string;
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
    .option('--timeout <ms>', 'how long to wait for the device\'s answer', '5000')
    .option('--sender-file <path>', 'where this sender\'s id and last sequence number are kept (the sender is --username when given)', join('.jerrywatt', 'led-sender.json'));
  addConnectionOptions(cmd)
    .addHelpText(
      'after',
      '\nEvery command carries an id, its sender (the MQTT username, or an id kept in --sender-file) and a sequence\nnumber: the device applies it exactly once, and drops one older than the last it applied from that sender.\n\nExamples:\n  jerrywatt led on --device dev1\n  jerrywatt led toggle --device all --timeout 2000\n  jerrywatt led on --pin 4 --blink-period 200 --blink-count 5',
    )
    .action(async (state: string, flags: LedCliOptions & ConnectionFlags) => {
      if (state !== 'on' && state !== 'off' && state !== 'toggle') throw new CliError(`state must be on, off or toggle, got "${state}"`);
      const timeoutMs = Number(flags.timeout);
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout must be a positive number of ms, got "${flags.timeout}"`);
      let pin: number | undefined;
      if (flags.pin !== undefined) {
        pin = Number(flags.pin);
        if (!Number.isInteger(pin)) throw new CliError(`--pin must be an integer, got "${flags.pin}"`);
      }
      const blink = flags.blinkPeriod !== undefined ? { periodMs: Number(flags.blinkPeriod), count: Number(flags.blinkCount ?? 3) } : undefined;
      const c = await resolveConnection(flags);
      if (flags.device !== 'all') requireId('device', flags.device, '--device');
      requirePrefix(c.prefix);
      const { sendLedCommand, LedSendError } = await import('../../led/send.ts');
      const { nextSequence } = await import('../../led/sender.ts');
      const { printableValue: shown } = await import('../../text/sanitize.ts');
      const { from, seq } = nextSequence(flags.senderFile, c.username);
      let r;
      try {
        r = await sendLedCommand({ connection: c, prefix: c.prefix, device: flags.device, state, pin, blink, timeoutMs, from, seq });
      } catch (err) {
        if (err instanceof LedSendError) throw new CliError(`${err.message}. Is \`npm start\` running, or pass --broker URL.`);
        throw err;
      }
      let failed = r.timedOut;
      for (const a of r.answers) {
        if (a.error !== undefined) {
          failed = true;
          process.stderr.write(`${shown(a.device)}: error: ${shown(a.error)}\n`);
        } else if (a.report) process.stdout.write(`${shown(a.device)}: LED on pin ${shown(a.report.pin)} is ${shown(a.report.state)}${a.report.blinking ? ' (blinking)' : ''}\n`);
      }
      if (r.timedOut) process.stderr.write(`no answer from ${shown(flags.device)} within ${timeoutMs} ms: is it running and connected to ${shown(c.url)}?\n`);
      if (flags.device === 'all') process.stdout.write(`${new Set(r.answers.map((a) => a.device)).size} device(s) answered\n`);
      process.exitCode = failed ? 1 : 0;
    });
}
