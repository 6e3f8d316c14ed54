/**
 * `jerrywatt led`: publishes one command with a fresh id and waits for the device's state report carrying that
 * id (or its error). For the fleet topic it prints every report that arrives before the timeout.
 */
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { CliError } from '../cli/errors.ts';
import { mqttAuthOptions } from '../mqtt/connect.ts';
import { FLEET_ID, SUFFIX, fleetLedSetTopic, topicOf } from '../../device/topics.ts';
import type { LedCliOptions } from '../cli/commands/led.ts';
import { printableValue as shown } from '../text/sanitize.ts';

interface StateReport {
  pin: number;
  state: string;
  blinking: boolean;
  id: string | null;
}

export async function sendLedCommand(state: 'on' | 'off' | 'toggle', opts: LedCliOptions): Promise<number> {
  const timeoutMs = Number(opts.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout must be a positive number of ms, got "${opts.timeout}"`);
  const cmd: Record<string, unknown> = { state, id: randomUUID().slice(0, 8) };
  if (opts.pin !== undefined) {
    const pin = Number(opts.pin);
    if (!Number.isInteger(pin)) throw new CliError(`--pin must be an integer, got "${opts.pin}"`);
    cmd.pin = pin;
  }
  if (opts.blinkPeriod !== undefined) cmd.blink = { periodMs: Number(opts.blinkPeriod), count: Number(opts.blinkCount ?? 3) };
  const fleet = opts.device === FLEET_ID;
  const p = opts.prefix;
  const client = mqtt.connect(opts.broker, { ...mqttAuthOptions(opts), reconnectPeriod: 0, connectTimeout: timeoutMs, clientId: `jerrywatt-led-${randomUUID().slice(0, 8)}` });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', (err) => reject(new CliError(`cannot connect to ${opts.broker}: ${err.message}. Is \`npm start\` running, or pass --broker URL.`)));
      client.once('close', () => reject(new CliError(`cannot connect to ${opts.broker}. Is \`npm start\` running, or pass --broker URL.`)));
    });
    client.removeAllListeners('close');
    const target = fleet ? '+' : opts.device;
    await client.subscribeAsync([topicOf(p, target, SUFFIX.ledState), topicOf(p, target, SUFFIX.error)], { qos: 1 });
    const seen = new Set<string>();
    let failed = false;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        if (!fleet && seen.size === 0) {
          process.stderr.write(`no answer from ${opts.device} within ${timeoutMs} ms: is it running and connected to ${opts.broker}?\n`);
          failed = true;
        }
        resolve();
      }, timeoutMs);
      client.on('message', (topic, payload) => {
        const dev = topic.split('/')[1]!;
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(payload.toString()) as Record<string, unknown>;
        } catch {
          return;
        }
        if (typeof body !== 'object' || body === null) return; // `null` or a number from a peer: not a report
        if (topic.endsWith('/' + SUFFIX.error)) {
          if (String(body.topic ?? '').endsWith('/' + SUFFIX.ledSet)) {
            process.stderr.write(`${shown(dev)}: error: ${shown(body.error)}\n`);
            failed = true;
            seen.add(dev);
            if (!fleet) {
              clearTimeout(timer);
              resolve();
            }
          }
          return;
        }
        const r = body as unknown as StateReport;
        if (r.id !== cmd.id) return; // a retained report from before this command
        seen.add(dev);
        process.stdout.write(`${shown(dev)}: LED on pin ${shown(r.pin)} is ${shown(r.state)}${r.blinking ? ' (blinking)' : ''}\n`);
        if (!fleet) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const topic = fleet ? fleetLedSetTopic(p) : topicOf(p, opts.device, SUFFIX.ledSet);
    await client.publishAsync(topic, JSON.stringify(cmd), { qos: 1 });
    await done;
    if (fleet) process.stdout.write(`${seen.size} device(s) answered\n`);
    return failed ? 1 : 0;
  } finally {
    await client.endAsync(true);
  }
}
