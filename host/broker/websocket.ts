/**
 * MQTT over WebSocket for the embedded aedes broker, so a browser (the dashboard) speaks MQTT itself: same broker,
 * same sessions and retained messages as the TCP listener, no second protocol to keep in step with the topics.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';

export interface WebSocketListener {
  /** ws://host:port/mqtt */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface WebSocketListenerOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  path?: string;
  /** wss: the same certificate and key as the broker's TLS listener. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export async function listenWebSocket(aedes: Aedes, opts: WebSocketListenerOptions = {}): Promise<WebSocketListener> {
  const host = opts.host ?? '127.0.0.1';
  const path = opts.path ?? '/mqtt';
  const refuse = (_req: unknown, res: import('node:http').ServerResponse) => void res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
  const http: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, refuse) : createServer(refuse);
  const sockets = new Set<Socket>();
  http.on('connection', (s) => {
    sockets.add(s);
    s.setNoDelay(true);
    s.on('close', () => sockets.delete(s));
  });
  // maxPayload: the largest MQTT packet the fleet sends is an OTA frame (a few KB); 256 KB leaves room and bounds memory.
  const wss = new WebSocketServer({ server: http, path, maxPayload: 256 * 1024 });
  wss.on('connection', (ws, req) => {
    const stream = createWebSocketStream(ws);
    stream.on('error', () => ws.terminate());
    aedes.handle(stream as never, req as never);
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, host, () => resolve());
  });
  const a = http.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return {
    url: `${opts.tls ? 'wss' : 'ws'}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`,
    port,
    async close() {
      for (const c of wss.clients) c.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
