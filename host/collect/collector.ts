/**
 * `jerrywatt collect`: subscribe at QoS 1 with a persistent session and write every reading once.
 * - Persistent session (clean: false, fixed client id): while we are away, the broker queues for us; with
 *   mosquitto `persistence true` the queue also survives a broker restart.
 * - A row is written synchronously in mqtt.js's handleMessage hook, whose callback sends the PUBACK, so
 *   nothing acknowledged is lost.
 * - QoS 1 redelivery is de-duplicated on (meter, register, ts).
 * - Bad payloads are counted by reason and reported (rate-limited); they never stop collection. So are
 *   registers outside the register map: their rows go to the all-messages file only.
 * - A write error (disk full) is fatal: reported, the message is NOT acknowledged (the broker keeps it in the
 *   session), the connection is closed and onFatal is called; the process must not crash in a client callback.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { hostname } from 'node:os';
import { RecentKeys } from './dedup.ts';
import { parseReading, topicMatches, type BadReason } from './reading.ts';
import { seedFromDir } from './resume.ts';
import type { RotationPolicy } from './rotation.ts';
import { CsvWriter, DEFAULT_FILE_REGISTERS, type WriterIo } from './writer.ts';
import { mqttAuthOptions } from '../mqtt/connect.ts';
import { printable } from '../text/sanitize.ts';

export interface CollectorOptions {
  url: string;
  topics: string[];
  outDir: string;
  clientId?: string;
  username?: string;
  password?: string;
  /** PEM CA for mqtts. */
  ca?: string;
  /** PEM client certificate and key (mutual TLS). */
  cert?: string;
  key?: string;
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
  /** Registers of the register map: each gets a file of its own (default 1006, 1007, 1009, 1010, 1011). */
  registers?: readonly number[];
  /** Called once when collection stops on a write error (after it is reported). */
  onFatal?: (err: Error) => void;
  /** File calls of the writer (tests inject a full disk). */
  writerIo?: WriterIo;
}

export interface CollectorStats {
  received: number;
  written: number;
  duplicates: number;
  /** Readings without ts: written, but they cannot be de-duplicated. */
  withoutTs: number;
  bad: Partial<Record<BadReason, number>>;
  /** Readings of registers outside the register map (written to the all-messages file only). */
  unknownRegister: number;
  connects: number;
  /** Keys seeded from the newest existing file at start. */
  resumedKeys: number;
}

export interface Collector {
  readonly stats: CollectorStats;
  readonly files: readonly string[];
  readonly client: MqttClient;
  /** Resolves after the next (re)connect and subscription (SUBACK). */
  connected(): Promise<void>;
  /** The write error that stopped collection, if any. */
  readonly fatal: Error | null;
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
  const writer = new CsvWriter(opts.outDir, policy, now, opts.registers ?? DEFAULT_FILE_REGISTERS, opts.writerIo);
  const keys = new RecentKeys(opts.dedupCapacity);
  const stats: CollectorStats = { received: 0, written: 0, duplicates: 0, withoutTs: 0, bad: {}, unknownRegister: 0, connects: 0, resumedKeys: 0 };
  stats.resumedKeys = seedFromDir(opts.outDir, keys);
  const lastReport = new Map<string, { at: number; suppressed: number }>();

  /** At most one report per kind every reportEvery ms, with the number suppressed since. */
  const limited = (kind: string, line: string) => {
    const t = now();
    const last = lastReport.get(kind);
    if (last && t - last.at < reportEvery) {
      last.suppressed++;
      return;
    }
    const more = last && last.suppressed > 0 ? ` (+${last.suppressed} more since the last report)` : '';
    lastReport.set(kind, { at: t, suppressed: 0 });
    report(line + more);
  };
  const onBad = (reason: BadReason, detail: string, topic: string) => {
    stats.bad[reason] = (stats.bad[reason] ?? 0) + 1;
    limited(reason, `collect: bad payload on ${printable(topic)}: ${reason}: ${printable(detail)}`);
  };

  const clientOpts: IClientOptions = {
    clientId: opts.clientId ?? defaultClientId(),
    clean: false,
    protocolVersion: 4,
    reconnectPeriod: opts.reconnectPeriodMs ?? 1000,
    connectTimeout: 10_000,
    ...mqttAuthOptions(opts),
  };
  const client = mqtt.connect(opts.url, clientOpts);
  let waiters: Array<() => void> = [];

  let fatal: Error | null = null;
  let stopping = false;
  const fail = (err: Error) => {
    fatal = err;
    stopping = true;
    report(`collect: cannot write in ${opts.outDir}: ${err.message}; stopping (the unacknowledged reading stays queued in the broker session)`);
    client.end(true);
    opts.onFatal?.(err);
  };

  /** Handles one reading; throws only on a write error. */
  const handle = (topic: string, payload: Uint8Array): void => {
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
    if (!writer.hasFile(r.register)) {
      stats.unknownRegister++;
      limited('unknown-register', `collect: register ${r.register} on ${printable(topic)} is not in the register map: written to the all-messages file only`);
    }
    writer.write(r, topic);
    stats.written++;
  };
  // mqtt.js calls handleMessage for every PUBLISH and sends the PUBACK when its callback gets no error.
  client.handleMessage = (packet, callback) => {
    if (fatal) return callback(fatal);
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    try {
      handle(packet.topic, payload);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      fail(e);
      return callback(e);
    }
    callback();
  };
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
  // After end() a late PUBACK can fail with "write after end"; that message is redelivered next session and
  // de-duplicated (keys seeded from the files), so it is not worth a report.
  client.on('error', (err) => {
    if (!stopping) report(`collect: ${err.message}`);
  });

  const tick = () => {
    if (fatal) return;
    try {
      writer.tick();
    } catch (err) {
      fail(err instanceof Error ? err : new Error(String(err)));
    }
  };
  const rotateTimer = policy.maxAgeMs > 0 ? setInterval(tick, Math.min(1000, policy.maxAgeMs)) : null;
  rotateTimer?.unref();

  const collector: Collector = {
    stats,
    get files() {
      return writer.files;
    },
    client,
    get fatal() {
      return fatal;
    },
    connected() {
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    async stop() {
      stopping = true;
      if (rotateTimer) clearInterval(rotateTimer);
      await client.endAsync();
      writer.close(); // throws on a write error (the counts file); files are closed first
    },
  };
  return collector;
}

export function formatStats(s: CollectorStats): string {
  const bad = Object.entries(s.bad)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const badTotal = Object.values(s.bad).reduce((a, b) => a + (b ?? 0), 0);
  return `received ${s.received}, written ${s.written}, duplicates ${s.duplicates}, bad ${badTotal}${bad ? ` (${bad})` : ''}, unknown register ${s.unknownRegister}, without ts ${s.withoutTs}, connects ${s.connects}`;
}
