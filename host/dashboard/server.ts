/**
 * `jerrywatt dashboard`: an HTTP server of static files only (the built page and its config.json). The page talks
 * MQTT to the broker itself over WebSocket, so this server holds no state and no credentials.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Socket } from 'node:net';
import type { DashboardConfig } from './page/config.ts';
import { isLoopback } from '../broker/embedded.ts';

export interface DashboardServerOptions {
  /** Directory of the built page (ensureDashboard). */
  dir: string;
  config: DashboardConfig;
  /** 0 picks a free port. Default 8080. */
  port?: number;
  /** Default 127.0.0.1. Anything else must be asked for (`allowRemote`). */
  host?: string;
  allowRemote?: boolean;
}

export interface DashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class DashboardError extends Error {}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};


export async function startDashboardServer(o: DashboardServerOptions): Promise<DashboardServer> {
  const host = o.host ?? '127.0.0.1';
  if (!isLoopback(host) && !o.allowRemote) throw new DashboardError(`the dashboard binds to 127.0.0.1 unless --host is given explicitly (asked for ${host})`);
  const configJson = JSON.stringify(o.config);
  const root = normalize(o.dir + sep);
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; worker-src blob:; img-src 'self' data:" };
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/config.json') {
      res.writeHead(200, { ...headers, 'content-type': TYPES['.json']! }).end(req.method === 'HEAD' ? undefined : configJson);
      return;
    }
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root)) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(req.method === 'HEAD' ? undefined : body),
      () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'),
    );
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new DashboardError(`port ${o.port ?? 8080} is in use: pass --dashboard-port N (or --port N)`) : err),
    );
    server.listen(o.port ?? 8080, host, () => resolve());
  });
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
