/**
 * A provisioned test fleet (CA, devices, users of every role) and the two brokers it configures: the embedded
 * aedes broker with the fleet policy, and a real mosquitto from `broker-config`. Plus the probes the ACL tests
 * use: may this identity publish (retained) on T, does it receive what is published on T when subscribed to F.
 * Every verdict is synchronised by MQTT acknowledgements, not by waiting: a broker handles one client's packets
 * in order and sends each client its packets in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { initCa, issueCert } from '../../host/security/ca.ts';
import { fleetPaths, provisionIdentity, revokeIdentity, type ProvisionRequest } from '../../host/security/fleet.ts';
import { fleetPolicy } from '../../host/security/policy.ts';
import { writeMosquittoConfig, defaultOwner } from '../../host/security/mosquitto.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { mosquittoPath } from '../helpers/mosquitto.ts';

export interface Creds {
  name: string;
  auth: 'cert' | 'password';
  cert?: string;
  key?: string;
  password?: string;
}

export const FLEET: ProvisionRequest[] = [
  { name: 'devA', role: 'device', auth: 'cert', group: 'gA', meters: ['m1'] },
  { name: 'devB', role: 'device', auth: 'password', group: 'gB' },
  { name: 'op', role: 'operator', auth: 'password' },
  { name: 'view', role: 'viewer', auth: 'cert' },
  { name: 'coll', role: 'collector', auth: 'password' },
  { name: 'gw', role: 'gateway', auth: 'cert', meters: ['m1'] },
  { name: 'gw2', role: 'gateway', auth: 'password', meters: ['m2'] },
  { name: 'obs', role: 'operator', auth: 'password' }, // the probes' observer reads every topic
];

export interface TestFleet {
  dir: string;
  caPem: string;
  creds: Map<string, Creds>;
  /** device.json of each device (the settings flash / sim get). */
  deviceSettings: Map<string, Record<string, string>>;
  cleanup(): void;
}

export function makeFleet(): TestFleet {
  const dir = mkdtempSync(join(tmpdir(), 'jw-fleet-'));
  initCa(fleetPaths(dir).caDir);
  const creds = new Map<string, Creds>();
  const deviceSettings = new Map<string, Record<string, string>>();
  for (const req of FLEET) {
    const r = provisionIdentity(dir, req);
    creds.set(req.name, {
      name: req.name,
      auth: req.auth,
      ...(r.files.cert ? { cert: readFileSync(r.files.cert, 'utf8'), key: readFileSync(r.files.key!, 'utf8') } : {}),
      ...(r.files.password ? { password: readFileSync(r.files.password, 'utf8').trim() } : {}),
    });
    if (r.files.deviceSettings) deviceSettings.set(req.name, JSON.parse(readFileSync(r.files.deviceSettings, 'utf8')));
  }
  return { dir, caPem: readFileSync(join(fleetPaths(dir).caDir, 'ca.crt'), 'utf8'), creds, deviceSettings, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One broker under test, with the URL to use for an identity. */
export interface BrokerUnderTest {
  name: 'aedes' | 'mosquitto';
  urlFor(c: Creds | { auth: 'password' }): string;
  /** Applies the fleet's current state (after a revocation): aedes reload(); mosquitto broker-config + SIGHUP. */
  reload(): Promise<void>;
  stop(): Promise<void>;
  logs(): string;
}

export async function startAedesFor(fleet: TestFleet): Promise<BrokerUnderTest & { broker: EmbeddedBroker }> {
  const server = issueCert(fleetPaths(fleet.dir).caDir, '127.0.0.1', 'server', { san: ['IP:127.0.0.1', 'DNS:localhost'] });
  const denied: string[] = [];
  const broker = await startEmbeddedBroker({ tls: { cert: server.certPem, key: server.keyPem }, policy: fleetPolicy(fleet.dir), onDenied: (l) => denied.push(l) });
  return {
    name: 'aedes',
    broker,
    urlFor: () => broker.url,
    reload: async () => broker.reload(),
    stop: () => broker.close(),
    logs: () => denied.join('\n'),
  };
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  for (;;) {
    const p = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    if (p !== 1883) return p;
  }
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = tcpConnect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

export async function startMosquittoFor(fleet: TestFleet): Promise<BrokerUnderTest & { outDir: string }> {
  const bin = mosquittoPath();
  if (!bin) throw new Error('mosquitto is not installed');
  const outDir = mkdtempSync(join(tmpdir(), 'jw-mosq-conf-'));
  const ports = { mtlsPort: await freePort(), passwordPort: await freePort(), wsPort: await freePort() };
  const write = () => writeMosquittoConfig({ fleetDir: fleet.dir, outDir, hosts: ['127.0.0.1', 'localhost'], bind: '127.0.0.1', ...ports, owner: defaultOwner(), extra: ['log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information', 'persistence false'] });
  const cfg = write();
  let logs = '';
  const child: ChildProcess = spawn(bin, ['-c', cfg.conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (logs = (logs + d).slice(-65536)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const deadline = Date.now() + 10_000;
  for (const port of [ports.mtlsPort, ports.passwordPort, ports.wsPort]) {
    while (!(await canConnect(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`mosquitto did not start on ${port}:\n${logs}`);
      }
      await new Promise((r) => setTimeout(r, 20)); // a poll interval, not a wait for readiness
    }
  }
  return {
    name: 'mosquitto',
    outDir,
    urlFor: (c) => (c.auth === 'cert' ? `mqtts://127.0.0.1:${ports.mtlsPort}` : `mqtts://127.0.0.1:${ports.passwordPort}`),
    async reload() {
      write();
      const before = logs.length;
      child.kill('SIGHUP');
      // mosquitto logs "Reloading config." once it has re-read the files.
      const until = Date.now() + 5000;
      while (!logs.slice(before).includes('Reloading config') && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      process.removeListener('exit', onExit);
      rmSync(outDir, { recursive: true, force: true });
    },
    logs: () => logs,
  };
}

export function clientOptions(fleet: TestFleet, c: Creds): IClientOptions {
  return {
    ca: fleet.caPem,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    clientId: `t-${c.name}-${Math.random().toString(16).slice(2, 10)}`,
    ...(c.auth === 'cert' ? { cert: c.cert, key: c.key, username: c.name } : { username: c.name, password: c.password }),
  };
}

export async function connectAs(b: BrokerUnderTest, fleet: TestFleet, name: string): Promise<MqttClient> {
  const c = fleet.creds.get(name)!;
  return mqtt.connectAsync(b.urlFor(c), clientOptions(fleet, c));
}

/** Resolves true on success, false if the broker closed the connection first (aedes refuses a publish so). */
function publishOrClose(client: MqttClient, topic: string, payload: string, retain: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => resolve(false);
    client.once('close', onClose);
    client.publish(topic, payload, { qos: 1, retain }, (err) => {
      client.removeListener('close', onClose);
      resolve(!err);
    });
  });
}

/**
 * The probes. `observer` (a viewer on `<prefix>/#`) sees every message the broker delivers; `marker` (an
 * operator) publishes a message the observer must see after the one under test.
 */
export class Prober {
  private seq = 0;
  private seen = new Set<string>();
  private waiters = new Map<string, () => void>();
  private constructor(
    readonly b: BrokerUnderTest,
    readonly fleet: TestFleet,
    private readonly observer: MqttClient,
    private readonly marker: MqttClient,
  ) {
    observer.on('message', (_t, p) => {
      const s = p.toString();
      this.seen.add(s);
      this.waiters.get(s)?.();
    });
  }

  static async start(b: BrokerUnderTest, fleet: TestFleet): Promise<Prober> {
    const observer = await connectAs(b, fleet, 'obs');
    // QoS 0 deliveries are written at once, in match order (QoS 1 ones wait for the session store first).
    await observer.subscribeAsync('esp/#', { qos: 0 });
    const marker = await connectAs(b, fleet, 'op');
    return new Prober(b, fleet, observer, marker);
  }

  private token(what: string): string {
    return `${what}#${++this.seq}#${Math.random().toString(16).slice(2, 8)}`;
  }

  private seenBy(token: string, ms = 5000): Promise<void> {
    if (this.seen.has(token)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.b.name}: the observer never received ${token}`)), ms);
      this.waiters.set(token, () => (clearTimeout(t), this.waiters.delete(token), resolve()));
    });
  }

  /** Everything published before now has reached the observer. */
  private async sync(): Promise<void> {
    const m = this.token('marker');
    await this.marker.publishAsync('esp/marker/led/set', m, { qos: 1 });
    await this.seenBy(m);
  }

  /** Did a publish by `actor` on `topic` reach subscribers? */
  async canPublish(actor: string, topic: string, retain: boolean): Promise<boolean> {
    const client = await connectAs(this.b, this.fleet, actor);
    try {
      const x = this.token(`${actor}>${topic}${retain ? ' retained' : ''}`);
      await publishOrClose(client, topic, x, retain);
      await this.sync();
      const delivered = this.seen.has(x);
      // Leave no retained message behind (for the next probes and tests).
      if (delivered && retain && client.connected) await client.publishAsync(topic, '', { qos: 1, retain: true });
      return delivered;
    } finally {
      client.end(true);
    }
  }

  /** Subscribed to `filter`, does `actor` receive what `publisher` publishes on `topic`? */
  async canRead(actor: string, filter: string, topic: string, publisher: string): Promise<boolean> {
    const client = await connectAs(this.b, this.fleet, actor);
    const pub = await connectAs(this.b, this.fleet, publisher);
    try {
      const got = new Set<string>();
      client.on('message', (_t, p) => got.add(p.toString()));
      await new Promise<void>((resolve) => client.subscribe(filter, { qos: 0 }, () => resolve()));
      const x = this.token(`${publisher}>${topic} for ${actor}`);
      await pub.publishAsync(topic, x, { qos: 1 });
      await this.seenBy(x);
      // The broker queued x for `actor` (or did not) before it answers this UNSUBSCRIBE: same connection, in order.
      await client.unsubscribeAsync('jw-sync/none');
      return got.has(x);
    } finally {
      client.end(true);
      pub.end(true);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([this.observer.endAsync(true), this.marker.endAsync(true)]);
  }
}

export { revokeIdentity };
