/**
 * A fault-injecting MQTT proxy for tests and the benchmark: sits between clients and a broker, parses the
 * broker -> client stream (mqtt-packet) and drops, duplicates, reorders or corrupts PUBLISH packets whose topic
 * matches, injects oversize frames, adds delay each way, and can cut every connection. Random faults use a seeded
 * generator; the seed is part of the stats so a failing run can be replayed.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';

export interface FaultPlan {
  /** Topic test for packets the faults apply to (default: OTA data frames). */
  match?: (topic: string) => boolean;
  /** Probabilities per matching packet. */
  drop?: number;
  dup?: number;
  reorder?: number;
  /** Corrupt one payload byte of the n-th matching packet (1-based). */
  corruptNth?: number;
  /** Replace the payload of the n-th matching packet with `oversizeBytes` bytes. */
  oversizeNth?: number;
  oversizeBytes?: number;
  /** Added one-way delay, ms, in each direction. */
  delayMs?: number;
  seed?: number;
}

export interface ProxyStats {
  seed: number;
  matched: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  oversized: number;
  connections: number;
}

export interface FaultProxy {
  url: string;
  port: number;
  plan: FaultPlan;
  stats: ProxyStats;
  /** Destroys every open connection (a network cut); new connections are accepted again. */
  cutAll(): void;
  /** While true, new connections are refused (closed at once). */
  refuse: boolean;
  close(): Promise<void>;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFaultProxy(brokerPort: number, plan: FaultPlan = {}, brokerHost = '127.0.0.1'): Promise<FaultProxy> {
  const seed = plan.seed ?? 1;
  const rnd = mulberry32(seed);
  const stats: ProxyStats = { seed, matched: 0, dropped: 0, duplicated: 0, reordered: 0, corrupted: 0, oversized: 0, connections: 0 };
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = { url: '', port: 0, plan, stats, refuse: false, cutAll, close };
  const match = (t: string) => (plan.match ? plan.match(t) : t.endsWith('/ota/data'));

  const delayed = (to: Socket) => (buf: Buffer) => {
    const d = plan.delayMs ?? 0;
    if (d <= 0) return void (to.destroyed || to.write(buf));
    setTimeout(() => to.destroyed || to.write(buf), d);
  };

  const server: Server = createServer((client) => {
    if (proxy.refuse) return void client.destroy();
    stats.connections++;
    const broker = connect(brokerPort, brokerHost);
    sockets.add(client);
    sockets.add(broker);
    const toBroker = delayed(broker);
    const toClient = delayed(client);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    let held: Buffer | null = null;
    parser.on('packet', (p: mqttPacket.Packet) => {
      if (p.cmd !== 'publish' || !match(p.topic)) return toClient(mqttPacket.generate(p));
      stats.matched++;
      if (plan.corruptNth === stats.matched && p.payload.length > 20) {
        const b = Buffer.from(p.payload as Buffer);
        b[20 + Math.floor(rnd() * (b.length - 20))]! ^= 0x5a;
        p.payload = b;
        stats.corrupted++;
      }
      if (plan.oversizeNth === stats.matched) {
        p.payload = Buffer.alloc(plan.oversizeBytes ?? 20000, 0x42);
        stats.oversized++;
      }
      const bytes = mqttPacket.generate(p);
      if (rnd() < (plan.drop ?? 0)) return void stats.dropped++;
      if (!held && rnd() < (plan.reorder ?? 0)) {
        held = bytes; // goes out after the next one
        stats.reordered++;
        return;
      }
      toClient(bytes);
      if (rnd() < (plan.dup ?? 0)) (stats.duplicated++, toClient(bytes));
      if (held) (toClient(held), (held = null));
    });
    parser.on('error', () => client.destroy());
    broker.on('data', (d) => parser.parse(d));
    client.on('data', (d) => toBroker(d));
    const end = () => {
      client.destroy();
      broker.destroy();
      sockets.delete(client);
      sockets.delete(broker);
    };
    client.on('close', end).on('error', end);
    broker.on('close', end).on('error', end);
  });

  function cutAll(): void {
    for (const s of sockets) s.destroy();
    sockets.clear();
  }

  async function close(): Promise<void> {
    cutAll();
    await new Promise<void>((r) => server.close(() => r()));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const a = server.address();
  proxy.port = typeof a === 'object' && a ? a.port : 0;
  proxy.url = `mqtt://127.0.0.1:${proxy.port}`;
  return proxy;
}
