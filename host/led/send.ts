/**
 * Sends one LED command (with an id, its sender and sequence number: device/led/senders.ts) and collects the
 * device's state report carrying that id, or its error. For the fleet topic it collects every report that arrives
 * before the timeout. Library code: plain options in, answers out; the CLI (host/cli/commands/led.ts) prints them.
 */
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { mqttAuthOptions, type BrokerConnection } from '../mqtt/connect.ts';
import { FLEET_ID, SUFFIX, fleetLedSetTopic, topicOf } from '../../device/topics.ts';

export type LedState = 'on' | 'off' | 'toggle';

export interface LedSendOptions {
  /** The broker, credentials and TLS material (host/mqtt/connect.ts). */
  connection: BrokerConnection;
  prefix: string;
  /** Device id, or 'all' for the fleet topic. */
  device: string;
  state: LedState;
  pin?: number;
  blink?: { periodMs: number; count: number };
  timeoutMs: number;
  /** The sender and this command's sequence number (host/led/sender.ts). */
  from: string;
  seq: number;
  /** Default: a fresh one. */
  id?: string;
}

export interface StateReport {
  pin: number;
  state: string;
  blinking: boolean;
  id: string | null;
}

export interface LedAnswer {
  device: string;
  report?: StateReport;
  error?: string;
}

export interface LedSendResult {
  command: Record<string, unknown>;
  answers: LedAnswer[];
  /** A single device did not answer before the timeout. */
  timedOut: boolean;
}

export class LedSendError extends Error {}

export async function sendLedCommand(o: LedSendOptions): Promise<LedSendResult> {
  const cmd: Record<string, unknown> = { state: o.state, id: o.id ?? randomUUID().slice(0, 8), from: o.from, seq: o.seq };
  if (o.pin !== undefined) cmd.pin = o.pin;
  if (o.blink) cmd.blink = o.blink;
  const fleet = o.device === FLEET_ID;
  const p = o.prefix;
  const url = o.connection.url;
  const client = mqtt.connect(url, { ...mqttAuthOptions(o.connection), reconnectPeriod: 0, connectTimeout: o.timeoutMs, clientId: `jerrywatt-led-${randomUUID().slice(0, 8)}` });
  const answers: LedAnswer[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', (err) => reject(new LedSendError(`cannot connect to ${url}: ${err.message}`)));
      client.once('close', () => reject(new LedSendError(`cannot connect to ${url}`)));
    });
    client.removeAllListeners('close');
    const target = fleet ? '+' : o.device;
    await client.subscribeAsync([topicOf(p, target, SUFFIX.ledState), topicOf(p, target, SUFFIX.error)], { qos: 1 });
    let timedOut = false;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timedOut = !fleet && answers.length === 0;
        resolve();
      }, o.timeoutMs);
      const answered = (a: LedAnswer) => {
        answers.push(a);
        if (!fleet) {
          clearTimeout(timer);
          resolve();
        }
      };
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
          if (String(body.topic ?? '').endsWith('/' + SUFFIX.ledSet)) answered({ device: dev, error: String(body.error) });
          return;
        }
        const r = body as unknown as StateReport;
        if (r.id === cmd.id) answered({ device: dev, report: r }); // else a retained report from before this command
      });
    });
    const topic = fleet ? fleetLedSetTopic(p) : topicOf(p, o.device, SUFFIX.ledSet);
    await client.publishAsync(topic, JSON.stringify(cmd), { qos: 1 });
    await done;
    return { command: cmd, answers, timedOut };
  } finally {
    await client.endAsync(true);
  }
}
