/**
 * `jerrywatt collect`: subscribe at QoS 1 with a persistent session and write every reading once.
 * - Persistent session (clean: false, fixed client id): while we are away, the broker queues for us; with
 *   mosquitto `persistence true` the queue also survives a broker restart.
 * - A row is written synchronously in the 'message' handler, which mqtt.js runs BEFORE it sends PUBACK, so
 *   nothing acknowledged is lost.
 * - QoS 1 redelivery is de-duplicated on (meter, register, ts).
 * - Bad payloads are counted by reason and reported (rate-limited); they never stop collection.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { hostname } from 'node:os';
import { RecentKeys } from './dedup.ts';
import { parseReading, topicMatches, type BadReason } from './reading.ts';
import { seedFromDir } from './resume.ts';
import type { RotationPolicy } from './rotation.ts';
import { CsvWriter } from './writer.ts';

export interface CollectorOptions {
  url: string;
  topics: string[];
  outDir: string;
  clientId?: string;
  username?: string;
  password?: string;
  /** PEM CA for mqtts. */
  ca?: string;
  rotation?: Partial<RotationPolicy>;
  /** Recent (meter, register, ts) keys kept for de-duplication. */
  dedupCapacity?: number;
  reconnectPeriodMs?: number;
  /** Injectable clock (receive time, file stamps, rotation). */
  now?: () => number;
  /** Where problems are reported (default stderr). */
  report?: (line: string) => void;
  /** Minimum ms between two reports of the same bad-payload reason. */
  reportEveryMs?: number;
}

export interface CollectorStats {
  received: number;
  written: number;
  duplicates: number;
  /** Readings without ts: written, but they cannot be de-duplicated. */
  withoutTs: number;
  bad: Partial<Record<BadReason, number>>;
  connects: number;
  /** Keys seeded from the newest existing file at start. */
  resumedKeys: number;
}

export interface Collector {
  readonly stats: CollectorStats;
  readonly files: readonly string[];
  readonly client: MqttClient;
  /** Resolves after the next (re)connect and subscription. */
  connected(): Promise<void>;
  /** Close the connection (the session stays on the broker), close the files, write the counts. */
  stop(): Promise<void>;
}

export function defaultClientId(): string {
  return `jerrywatt-collect-${hostname()}`.slice(0, 64);
}

export async function startCollector(opts: CollectorOptions): Promise<Collector> {
  const now = opts.now ?? Date.now;
  const report = opts.report ?? ((l: string) => process.stderr.write(l + '\n'));
  const reportEvery = opts.reportEveryMs ?? 10_000;
  const policy: RotationPolicy = { maxBytes: opts.rotation?.maxBytes ?? 0, maxAgeMs: opts.rotation?.maxAgeMs ?? 0 };
  const writer = new CsvWriter(opts.outDir, policy, now);
  const keys = new RecentKeys(opts.dedupCapacity);
  const stats: CollectorStats = { received: 0, written: 0, duplicates: 0, withoutTs: 0, bad: {}, connects: 0, resumedKeys: 0 };
  stats.resumedKeys = seedFromDir(opts.outDir, keys);
  const lastReport = new Map<BadReason, { at: number; suppressed: number }>();

  const onBad = (reason: BadReason, detail: string, topic: string) => {
    stats.bad[reason] = (stats.bad[reason] ?? 0) + 1;
    const t = now();
    const last = lastReport.get(reason);
    if (last && t - last.at < reportEvery) {
      last.suppressed++;
      return;
    }
    const more = last && last.suppressed > 0 ? ` (+${last.suppressed} more since the last report)` : '';
    lastReport.set(reason, { at: t, suppressed: 0 });
    report(`collect: bad payload on ${topic}: ${reason}: ${detail}${more}`);
  };

  const clientOpts: IClientOptions = {
    clientId: opts.clientId ?? defaultClientId(),
    clean: false,
    protocolVersion: 4,
    reconnectPeriod: opts.reconnectPeriodMs ?? 1000,
    connectTimeout: 10_000,
    username: opts.username,
    password: opts.password,
    ca: opts.ca,
  };
  const client = mqtt.connect(opts.url, clientOpts);
  let waiters: Array<() => void> = [];

  client.on('message', (topic, payload) => {
    stats.received++;
    const pattern = opts.topics.find((p) => topicMatches(p, topic)) ?? opts.topics[0]!;
    const res = parseReading(pattern, topic, payload);
    if (!res.ok) return onBad(res.reason, res.detail, topic);
    const r = res.reading;
    if (r.ts === '') stats.withoutTs++;
    else if (!keys.add(RecentKeys.key(r.meter, r.register, r.ts))) {
      stats.duplicates++;
      return;
    }
    writer.write(r, topic);
    stats.written++;
  });
  client.on('connect', (ack) => {
    stats.connects++;
    // With a session present the broker kept our subscriptions; subscribing again is harmless and covers a
    // broker that lost them (no persistence).
    client.subscribe(opts.topics, { qos: 1 }, (err) => {
      if (err) return report(`collect: subscribe failed: ${err.message}`);
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    });
    if (!ack.sessionPresent && stats.connects > 1) report('collect: the broker lost our session (messages sent while we were away may be missing)');
  });
  let stopping = false;
  // After end() a late PUBACK can fail with "write after end"; that message is redelivered next session and
  // de-duplicated (keys seeded from the files), so it is not worth a report.
  client.on('error', (err) => {
    if (!stopping) report(`collect: ${err.message}`);
  });

  const rotateTimer = policy.maxAgeMs > 0 ? setInterval(() => writer.tick(), Math.min(1000, policy.maxAgeMs)) : null;
  rotateTimer?.unref();

  const collector: Collector = {
    stats,
    get files() {
      return writer.files;
    },
    client,
    connected() {
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    async stop() {
      stopping = true;
      if (rotateTimer) clearInterval(rotateTimer);
      await client.endAsync();
      writer.close();
    },
  };
  return collector;
}

export function formatStats(s: CollectorStats): string {
  const bad = Object.entries(s.bad)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const badTotal = Object.values(s.bad).reduce((a, b) => a + (b ?? 0), 0);
  return `received ${s.received}, written ${s.written}, duplicates ${s.duplicates}, bad ${badTotal}${bad ? ` (${bad})` : ''}, without ts ${s.withoutTs}, connects ${s.connects}`;
}
