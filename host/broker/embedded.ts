/**
 * The embedded broker: aedes on a TCP listener. Used by `jerrywatt sim`, tests and benchmarks.
 * aedes speaks MQTT 3.1.1 only and keeps sessions in memory (tests of persistence use mosquitto).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { listenWebSocket, type WebSocketListener } from './websocket.ts';

export interface EmbeddedBroker {
  url: string;
  port: number;
  host: string;
  aedes: Aedes;
  /** MQTT over WebSocket (ws://host:port/mqtt), when asked for with `wsPort`. */
  ws: WebSocketListener | null;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Also listen for MQTT over WebSocket on this port (0 picks a free one); undefined: no WebSocket listener. */
  wsPort?: number;
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true); // small MQTT packets: Nagle + delayed ACK would add ~40 ms per hop
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw err;
  }
  let ws: WebSocketListener | null = null;
  if (opts.wsPort !== undefined) {
    try {
      ws = await listenWebSocket(aedes, { port: opts.wsPort, host });
    } catch (err) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      throw err;
    }
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    host,
    aedes,
    ws,
    async close() {
      await ws?.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
