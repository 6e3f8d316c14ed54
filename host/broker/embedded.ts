/**
 * The embedded broker: aedes on a TCP or TLS listener. Used by `jerrywatt sim`, tests and benchmarks.
 * aedes speaks MQTT 3.1.1 only and keeps sessions in memory (tests of persistence use mosquitto).
 *
 * Open (no TLS, no authentication) only on a loopback address, for the quickstart. Anywhere else it needs
 * TLS and a policy (host/security/policy.ts), which its authenticate/authorize hooks enforce (host/broker/hooks.ts).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import type { BrokerPolicy } from '../security/policy.ts';
import { installPolicy } from './hooks.ts';
import { listenWebSocket, type WebSocketListener } from './websocket.ts';

export interface EmbeddedBroker {
  url: string;
  port: number;
  host: string;
  aedes: Aedes;
  /** Re-reads the policy (identities, passwords, CRL) and the TLS trust: a revocation takes effect now. */
  reload(): void;
  /** MQTT over WebSocket (ws://host:port/mqtt), when asked for with `wsPort`. */
  ws: WebSocketListener | null;
  close(): Promise<void>;
}

export interface BrokerTls {
  /** PEM server certificate (chain) and key. */
  cert: string;
  key: string;
}

export interface EmbeddedBrokerOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Serve mqtts; client certificates are checked against the policy's CA and CRL. */
  tls?: BrokerTls;
  /** Who may connect and what they may do. Without it, everyone may do everything (loopback only). */
  policy?: BrokerPolicy;
  /** Refused connections and denied packets, one line each (never a password). */
  onDenied?: (line: string) => void;
  /** Also listen for MQTT over WebSocket on this port (0 picks a free one; wss with `tls`, under the same policy); undefined: none. */
  wsPort?: number;
}

export class BrokerSecurityError extends Error {}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !(opts.tls && opts.policy)) {
    throw new BrokerSecurityError(`the embedded broker listens beyond loopback (${host}) only with TLS and authentication: provision a fleet (jerrywatt ca init, jerrywatt provision) and pass --fleet DIR, or bind 127.0.0.1`);
  }
  const aedes = await Aedes.createBroker();
  const installed = opts.policy ? installPolicy(aedes, opts.policy, opts.onDenied ?? (() => {})) : null;
  const sockets = new Set<Socket>();
  const onSocket = (socket: Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true); // small MQTT packets: Nagle + delayed ACK would add ~40 ms per hop
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    aedes.handle(socket);
  };
  let server: Server | TlsServer;
  if (opts.tls) {
    // Certificates are asked for, not required: a client may log in with a password instead. An invalid one is
    // refused by the policy at CONNECT (hooks.ts), with the reason.
    const tlsServer = createTlsServer({ cert: opts.tls.cert, key: opts.tls.key, ...trustOf(opts.policy), requestCert: !!opts.policy, rejectUnauthorized: false, minVersion: 'TLSv1.2' }, onSocket);
    tlsServer.on('tlsClientError', (err, socket) => {
      opts.onDenied?.(`TLS handshake failed: ${err.message}`);
      socket.destroy();
    });
    server = tlsServer;
  } else {
    server = createServer(onSocket);
  }
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
      ws = await listenWebSocket(aedes, { port: opts.wsPort, host, ...(opts.tls ? { tls: { cert: opts.tls.cert, key: opts.tls.key } } : {}) });
    } catch (err) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      throw err;
    }
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://${urlHost}:${port}`,
    port,
    host,
    aedes,
    reload() {
      opts.policy?.reload();
      if (opts.tls) (server as TlsServer).setSecureContext({ cert: opts.tls.cert, key: opts.tls.key, ...trustOf(opts.policy) });
      // Connected clients were admitted under the old rules: drop the ones the new rules refuse.
      installed?.recheck();
    },
    ws,
    async close() {
      await ws?.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

function trustOf(policy: BrokerPolicy | undefined): { ca?: string; crl?: string } {
  const t = policy?.tlsTrust();
  return { ...(t?.ca ? { ca: t.ca } : {}), ...(t?.crl ? { crl: t.crl } : {}) };
}
