/**
 * A real mosquitto broker for tests that need what aedes lacks: sessions persisted across a broker restart,
 * password auth, TLS. Each instance gets its own temp dir, generated config and ephemeral loopback port
 * (never 1883). Readiness is "the port accepts a TCP connection", never a sleep.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, readFileSync, rmSync, chmodSync, accessSync, constants } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, delimiter } from 'node:path';

export interface MosquittoOptions {
  /** `persistence true`: sessions and queued QoS 1/2 messages survive restart(). */
  persistence?: boolean;
  /** username -> password; when given, anonymous clients are refused. */
  users?: Record<string, string>;
  /** TLS listener with a throwaway CA and server cert (CN/SAN 127.0.0.1, localhost); see caPem. */
  tls?: boolean;
  /** Fixed port; default: a free ephemeral one. */
  port?: number;
}

export interface MosquittoHandle {
  /** mqtt://127.0.0.1:<port> or mqtts://127.0.0.1:<port> */
  url: string;
  port: number;
  /** The temp dir: mosquitto.conf, persistence db, certs. Removed by stop(). */
  dir: string;
  /** SIGTERM, wait for exit (persistence is saved on exit), remove the temp dir. */
  stop(): Promise<void>;
  /** SIGTERM, wait for exit, start again on the SAME port with the same dir; resolves when it accepts connections. */
  restart(): Promise<void>;
  /** The test CA certificate (PEM) when tls: pass it to mqtt.js as `{ ca }`. */
  caPem?: string;
  /** The broker's stderr so far (last 64 KB), for failure messages. */
  logs(): string;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_KEEP = 64 * 1024;

/** The mosquitto binary: /usr/sbin/mosquitto (Debian puts it outside a user's PATH), then PATH. */
export function mosquittoPath(): string | null {
  const candidates = ['/usr/sbin/mosquitto', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'mosquitto'))];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  return null;
}

/** Skip the test loudly when mosquitto is missing; under CI=true its absence is a failure. */
export function requireMosquitto(ctx: Mocha.Context): void {
  if (mosquittoPath()) return;
  if (process.env.CI === 'true') {
    throw new Error('mosquitto is not installed but CI=true: it must be installed (.ci/run installs it: apt-get install mosquitto)');
  }
  console.warn(
    '\n' +
      '*'.repeat(72) +
      `\n*** SKIPPED: mosquitto not installed; apt-get install mosquitto\n*** (test: ${ctx.test?.fullTitle() ?? ctx.currentTest?.fullTitle() ?? '?'})\n` +
      '*'.repeat(72) +
      '\n',
  );
  ctx.skip();
}

/** A port that was free a moment ago (the OS picks it); 1883 is never returned. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const a = srv.address();
        const p = typeof a === 'object' && a ? a.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (port !== 1883) return port;
  }
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function makeTls(dir: string): { ca: string; cert: string; key: string } {
  const ca = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.crt');
  const ext = join(dir, 'server.ext');
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // EC P-256 keys: generated in milliseconds, unlike RSA.
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', caKey, '-out', ca, '-days', '2', '-subj', '/CN=jerrywatt test CA']);
  run(['req', ...ec, '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1']);
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  run(['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
  chmodSync(key, 0o600);
  return { ca, cert, key };
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<MosquittoHandle> {
  const bin = mosquittoPath();
  if (!bin) throw new Error('mosquitto is not installed (apt-get install mosquitto)');
  const dir = mkdtempSync(join(tmpdir(), 'jw-mosquitto-'));
  const lines: string[] = [];
  let port = opts.port ?? (await freePort());
  const tls = opts.tls ? makeTls(dir) : undefined;
  const body: string[] = [];
  // Started as root, mosquitto drops to the `mosquitto` user and then cannot read our root-owned temp files;
  // `user root` keeps it as root (2.0.11 accepts it, with a warning). As non-root the option is ignored.
  if (process.getuid?.() === 0) body.push('user root');
  body.push('log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information');
  body.push('log_timestamp_format %H:%M:%S');
  if (opts.persistence) {
    body.push('persistence true', `persistence_location ${dir}/`, 'autosave_interval 1');
  } else {
    body.push('persistence false');
  }
  if (opts.users && Object.keys(opts.users).length > 0) {
    const pw = join(dir, 'passwd');
    writeFileSync(pw, Object.entries(opts.users).map(([u, p]) => `${u}:${p}\n`).join(''), { mode: 0o600 });
    execFileSync('mosquitto_passwd', ['-U', pw], { stdio: ['ignore', 'ignore', 'pipe'] }); // hashes in place
    body.push('allow_anonymous false', `password_file ${pw}`);
  } else {
    body.push('allow_anonymous true');
  }
  // Queue enough for tests that publish thousands of QoS 1 messages to an offline persistent session.
  body.push('max_queued_messages 100000', 'max_inflight_messages 100');

  let child: ChildProcess | null = null;
  let logs = '';
  let exited: Promise<void> = Promise.resolve();

  const confFor = (p: number) => {
    const listener = [`listener ${p} 127.0.0.1`];
    if (tls) listener.push(`cafile ${tls.ca}`, `certfile ${tls.cert}`, `keyfile ${tls.key}`);
    // per_listener_settings is false (the default), so auth and persistence options are global: order is free.
    return [...body, ...listener].join('\n') + '\n';
  };

  const launch = async (): Promise<void> => {
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, confFor(port));
    const c = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    let done = false;
    exited = new Promise<void>((resolve) => {
      c.once('exit', () => {
        done = true;
        if (child === c) child = null;
        resolve();
      });
    });
    c.stderr!.setEncoding('utf8');
    c.stderr!.on('data', (d: string) => {
      logs = (logs + d).slice(-LOG_KEEP);
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (done) throw new Error(`mosquitto exited during start (port ${port}):\n${logs}`);
      if (await tryConnect(port)) return;
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`mosquitto did not accept connections on ${port} within ${READY_TIMEOUT_MS} ms:\n${logs}`);
      }
      await new Promise((r) => setTimeout(r, 20)); // a poll interval, not a wait for readiness
    }
  };

  const halt = async (): Promise<void> => {
    const c = child;
    if (!c) return;
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  // A test process that dies must not leave brokers behind.
  const onExit = () => {
    const c = child as ChildProcess | null;
    c?.kill('SIGKILL');
  };
  process.once('exit', onExit);

  // Someone may take the free port between probe and bind: try a few fresh ones (only when not fixed).
  for (let attempt = 0; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      if (opts.port !== undefined || attempt >= 3 || !/Address already in use/i.test(logs)) {
        rmSync(dir, { recursive: true, force: true });
        process.removeListener('exit', onExit);
        throw err;
      }
      logs = '';
      port = await freePort();
    }
  }

  const scheme = tls ? 'mqtts' : 'mqtt';
  let stopped = false;
  return {
    get url() {
      return `${scheme}://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    dir,
    caPem: tls ? readFileSync(tls.ca, 'utf8') : undefined,
    logs: () => logs,
    async restart() {
      if (stopped) throw new Error('mosquitto: restart() after stop()');
      await halt();
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      process.removeListener('exit', onExit);
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
