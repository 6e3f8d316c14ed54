/** Shared by the spine tests: boards on a manual clock, an observer client, and polling without sleeps. */
import mqtt, { type MqttClient } from 'mqtt';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../host/sim/clock.ts';
import { SimBoard, type SimBoardOptions } from '../../host/sim/board.ts';
import { distPath, packageRoot as repoRoot } from '../../host/paths.ts';
import { buildDevice } from '../../build/bundle.ts';
import { existsSync } from 'node:fs';

/** Builds dist/device/app.js once per process if missing (npm test builds it first anyway). */
export async function ensureBundle(): Promise<string> {
  const p = distPath('device', 'app.js');
  if (!existsSync(p)) await buildDevice({ root: repoRoot(), appVersion: 1 });
  return p;
}

export interface TestBoard {
  board: SimBoard;
  clock: ManualClock;
  dir: string;
  dispose(): void;
}

export function makeBoard(deviceId: string, brokerUrl: string, extra: Partial<SimBoardOptions> = {}, clock = new ManualClock()): TestBoard {
  const dir = mkdtempSync(join(tmpdir(), `jw-${deviceId}-`));
  const board = new SimBoard({
    deviceId,
    stateDir: dir,
    clock,
    faultRestartMs: 1000,
    ...extra,
    settings: { deviceId, brokerUrl, healthSec: 0, backoffMinMs: 200, backoffMaxMs: 2000, ...(extra.settings ?? {}) },
  });
  if (process.env.JW_TEST_LOG) board.on('log', (l, m) => process.stderr.write(`[${deviceId} ${l}] ${m}\n`));
  return {
    board,
    clock,
    dir,
    dispose() {
      board.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `cond`, advancing the manual clocks by `stepMs` per round and letting real I/O (loopback sockets)
 * run in between. Bounded by rounds, so a broken device fails the test instead of hanging it.
 */
export async function eventually<T>(cond: () => T | undefined | false | null, what: string, opts: { clocks?: Array<{ advance(ms: number): void }>; stepMs?: number; rounds?: number } = {}): Promise<T> {
  const rounds = opts.rounds ?? 1000;
  for (let i = 0; i < rounds; i++) {
    const v = cond();
    if (v) return v;
    for (const c of opts.clocks ?? []) c.advance(opts.stepMs ?? 50);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface Observed {
  topic: string;
  text: string;
  json: any;
  retain: boolean;
}

/** A plain mqtt.js client that records everything under a filter. */
export class Observer {
  readonly messages: Observed[] = [];
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const text = payload.toString();
      let json: unknown = undefined;
      try {
        json = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      this.messages.push({ topic, text, json, retain: packet.retain });
    });
  }

  static async connect(url: string, filter = 'esp/#'): Promise<Observer> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 200, clientId: `observer-${Math.random().toString(16).slice(2, 10)}` });
    const o = new Observer(client);
    await client.subscribeAsync(filter, { qos: 1 });
    return o;
  }

  on(topic: string): Observed[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  last(topic: string): Observed | undefined {
    const all = this.on(topic);
    return all[all.length - 1];
  }

  async publish(topic: string, payload: string | Buffer, qos: 0 | 1 = 1): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
