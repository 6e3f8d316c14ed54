/**
 * `jerrywatt sim`: the embedded broker (or a given one) and N devices until Ctrl-C, on the simulated board (V8)
 * or, with `native`, on the real engine through the C bindings (host/native/board.ts). Same provisioning either
 * way: device id, broker, OTA key, meters, `--set` settings; the same meter gateway and anomaly watch.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { publicKeyDer, writeKeyPair } from '../ota/offer.ts';
import { DEFAULT_PREFIX, SUFFIX, anyIdFilter } from '../../device/topics.ts';
import { startEmbeddedBroker, BrokerSecurityError, type EmbeddedBroker } from '../broker/embedded.ts';
import { mqttAuthOptions, type BrokerConnection } from '../mqtt/connect.ts';
import { connectionSettings, provisionedSettings, secureBrokerFor, SimSecurityError } from '../security/sim.ts';
import type { MeterGateway } from '../meters/gateway.ts';
import { printable } from '../text/sanitize.ts';
import { SETTINGS, type SettingName } from '../../device/settings/keys.ts';
import type { LogLevel } from '../../bindings/native.js';
import { SimBoard } from './board.ts';
import { parseSetFlags, SettingFlagError } from './settings-flags.ts';

export interface SimOptions {
  /** Repository root: dist/device/app.js and app.img, native/, partitions.csv. */
  root: string;
  /** Port of the embedded broker (0: any free one). */
  mqttPort: number;
  /** Use this broker instead of starting one. */
  broker?: string;
  devices: number;
  stateDir: string;
  fresh?: boolean;
  /** OTA public key file (PEM or DER); default a dev key pair made beside stateDir. */
  otaPubkey?: string;
  quiet?: boolean;
  /** The real engine and the C runtime instead of the V8 board. */
  native?: boolean;
  /** The engine's JS heap for `native`, KB (default the firmware's). */
  jsHeapKb?: number;
  meters: number;
  meterRate: number;
  /** name=value settings (device/settings/keys.ts), non-secret. */
  set?: string[];
  /** Printed lines (default stdout). */
  out?: (line: string) => void;
  /** Resolves when the run should stop (default SIGINT/SIGTERM). */
  until?: Promise<void>;
  /** The embedded broker's MQTT-over-WebSocket port (0: any free one); undefined: none. */
  wsPort?: number;
  /** Serve the dashboard on this port (0: any free one) when the broker has a WebSocket listener; undefined: none. */
  dashboardPort?: number;
  /** Credentials and TLS material for `broker`: the devices, the meter gateway and the anomaly watch use them. */
  connection?: Omit<BrokerConnection, 'url'>;
  /** Embedded broker: listen on this address (default 127.0.0.1); beyond loopback only with `fleet`. */
  host?: string;
  /** Embedded broker with TLS and the fleet's identities and ACL (docs/security.md); devices use their provisioned credentials. */
  fleet?: string;
  /** Called once everything is up, with the broker URL and the devices. */
  onReady?: (ready: { url: string; devices: string[] }) => void;
}

/** A problem the user can fix (bad flag, port in use): printed without a stack. */
export class SimError extends Error {}

const LEVEL_COLOR: Record<string, string> = { error: '\x1b[31m', warn: '\x1b[33m', info: '', debug: '\x1b[2m' };

/** What the runner needs of either board. */
interface FleetBoard {
  deviceId: string;
  ledPin: number;
  hasModel(): boolean;
  installModel(bytes: Uint8Array): void | Promise<void>;
  provision(name: SettingName, value: string | number | Uint8Array): void;
  onLog(cb: (level: LogLevel, msg: string) => void): void;
  onGpio(cb: (pin: number, level: 0 | 1) => void): void;
  boot(): void;
  close(): Promise<void>;
}

export async function runSim(opts: SimOptions): Promise<void> {
  const out = opts.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const devices = opts.devices;
  if (!Number.isInteger(devices) || devices < 1 || devices > 1000) throw new SimError(`--devices must be 1..1000, got "${devices}"`);
  const port = opts.mqttPort;
  if (!opts.broker && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new SimError(`--mqtt-port must be a port number, got "${port}"`);
  if (opts.broker && !/^mqtts?:\/\/[^/]+/.test(opts.broker)) throw new SimError(`--broker must look like mqtt://host:port, got "${opts.broker}"`);
  if (!Number.isInteger(opts.meters) || opts.meters < 0 || opts.meters > 1000) throw new SimError(`--meters must be 0..1000, got "${opts.meters}"`);
  if (!(opts.meterRate > 0 && opts.meterRate <= 100)) throw new SimError(`--meter-rate must be in (0, 100] samples per second, got "${opts.meterRate}"`);
  if (opts.jsHeapKb !== undefined && !opts.native) throw new SimError('--js-heap-kb sizes the real engine\'s heap: it goes with --native');
  let settings: ReturnType<typeof parseSetFlags>;
  try {
    settings = parseSetFlags(opts.set ?? []);
  } catch (err) {
    if (err instanceof SettingFlagError) throw new SimError(err.message);
    throw err;
  }
  for (const fixed of ['deviceId', 'brokerUrl'] as const)
    if (settings[fixed] !== undefined) throw new SimError(`--set ${fixed}=...: the simulator sets ${fixed} itself (devices dev1..devN; the broker with --broker)`);

  const key = opts.otaPubkey ? { der: readPublicKey(opts.otaPubkey), note: opts.otaPubkey } : devKey(opts.stateDir);
  const nativeBuild = opts.native ? await buildNative(opts) : null;

  if (opts.fleet && opts.broker) throw new SimError('--fleet secures the embedded broker; with --broker, pass that broker\'s credentials (--username, --password-file, --ca, --cert, --key)');
  if (opts.fleet && opts.meters) throw new SimError('--meters needs a gateway identity of its own on a secured broker: run a provisioned gateway (jerrywatt provision --user gw1 --role gateway --meters meter1) instead of --meters');
  const conn = opts.fleet ? undefined : opts.connection;
  let broker: EmbeddedBroker | null = null;
  let onHup: (() => void) | null = null;
  let url = opts.broker;
  if (!url) {
    try {
      const secure = opts.fleet ? secureBrokerFor(opts.fleet, opts.host ? [opts.host] : []) : null;
      broker = await startEmbeddedBroker({
        port,
        ...(opts.host ? { host: opts.host } : {}),
        ...(secure ? { tls: secure.tls, policy: secure.policy, onDenied: (l: string) => out(`broker: ${printable(l)}`) } : {}),
        ...(opts.wsPort !== undefined ? { wsPort: opts.wsPort } : {}),
      });
      if (secure) {
        onHup = () => (broker!.reload(), out('broker: fleet re-read (identities, passwords, CRL); revoked clients dropped'));
        process.on('SIGHUP', onHup);
      }
    } catch (err) {
      if (err instanceof BrokerSecurityError || err instanceof SimSecurityError) throw new SimError(err.message);
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE') throw new SimError(`port ${port}${opts.wsPort !== undefined ? ` or ${opts.wsPort}` : ''} is in use: pass --mqtt-port N${opts.wsPort !== undefined ? ' and --ws-port N' : ''}, or --broker mqtt://127.0.0.1:${port} to use the broker already there`);
      throw err;
    }
    // Local boards reach a wildcard listener through loopback (which the server certificate names).
    url = broker.url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:');
  }

  const stateDir = resolve(opts.stateDir);
  const tty = process.stdout.isTTY;
  const boards: FleetBoard[] = [];
  for (let i = 1; i <= devices; i++) {
    const id = `dev${i}`;
    const dir = nativeBuild ? join(stateDir, 'native', id) : join(stateDir, id);
    if (opts.fresh) rmSync(dir, { recursive: true, force: true });
    const credentials = opts.fleet ? provisionedSettings(opts.fleet, id) : conn ? connectionSettings(conn) : {};
    const provisioned = { ...settings, ...credentials, deviceId: id, brokerUrl: url, otaPubKey: key.der };
    const board = nativeBuild ? await nativeFleetBoard(opts.root, nativeBuild, id, dir, provisioned) : simFleetBoard(opts.root, id, dir, provisioned);
    board.onLog((level, msg) => {
      if (opts.quiet && (level === 'info' || level === 'debug')) return;
      const color = tty ? (LEVEL_COLOR[level] ?? '') : '';
      // A device log line can quote a peer's payload: its control characters are escaped, never sent raw.
      out(`${color}[${id}] ${printable(String(level)).padEnd(5)} ${printable(String(msg))}${color ? '\x1b[0m' : ''}`);
    });
    // The command LED only: the alarm LED blinks all through an anomaly, which the anomaly lines already say.
    board.onGpio((pin, level) => {
      if (!opts.quiet && pin === board.ledPin) out(`[${id}] gpio  ${pin} -> ${level ? 'HIGH (LED on)' : 'LOW (LED off)'}`);
    });
    boards.push(board);
  }
  const meters = await setUpMeters(opts, boards);
  for (const b of boards) b.boot();
  const watch = meters.count ? await watchAnomalies(url, tty, out, conn) : null;
  const gateway = meters.count ? await startGateway(url, meters.count, opts.meterRate, conn) : null;
  const dashboard = broker?.ws && opts.dashboardPort !== undefined ? await startSimDashboard(opts.root, broker.ws.url, opts.dashboardPort, opts.fleet) : null;

  const host = new URL(url).hostname;
  const mport = new URL(url).port || 1883;
  out(
    [
      '',
      `broker   ${url}${broker ? ' (embedded aedes)' : ''}${broker?.ws ? `, ${broker.ws.url} (WebSocket)` : ''}`,
      ...(dashboard ? [`dashboard ${dashboard.url}`] : []),
      `devices  ${boards.map((b) => b.deviceId).join(', ')}  (state in ${opts.stateDir})`,
      `board    ${nativeBuild ? `native: JerryScript 3.0 + C bindings, ${nativeBuild.jsHeapKb} KB JS heap (${relative(process.cwd(), nativeBuild.binary)})` : 'simulated (V8)'}`,
      `OTA key  ${key.note}`,
      ...(meters.count ? [`meters   ${gateway!.meters.join(', ')} at ${opts.meterRate}/s, watched by every device (model v1, ${meters.modelBytes} B in model_a)`] : []),
      '',
      'Try, in another terminal:',
      '  npx jerrywatt led on --device dev1          # light the LED, print the state it reports',
      ...(opts.fleet ? [`  (a TLS broker under the fleet's ACL: add --ca ${join(opts.fleet, 'ca', 'ca.crt')} --username NAME --password-file ${join(opts.fleet, 'identities', 'NAME', 'password')}; docs/security.md)`] : []),
      '  npx jerrywatt led toggle --device all       # every device at once',
      ...(key.privatePath ? [`  npx jerrywatt build --app-version 2${nativeBuild ? '' : ' --source'} && npx jerrywatt ota publish --device dev1 --kind app --file dist/device/app.img --version 2 --key ${key.privatePath}`] : []),
      ...(meters.count ? [`  mosquitto_sub -h ${host} -p ${mport} -t 'esp/+/anomaly' -v   # detection events`] : ['  npm start -- --meters 2                     # meter telemetry and anomaly detection on every device']),
      `  mosquitto_sub -h ${host} -p ${mport} -t 'esp/#' -v   # watch everything`,
      '',
      'Ctrl-C stops.',
      '',
    ].join('\n'),
  );
  opts.onReady?.({ url, devices: boards.map((b) => b.deviceId) });

  await (opts.until ??
    new Promise<void>((resolveStop) => {
      const stop = () => resolveStop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }));
  out('\nstopping...');
  await gateway?.stop();
  await dashboard?.close();
  await watch?.endAsync(true);
  await Promise.all(boards.map((b) => b.close()));
  if (onHup) process.off('SIGHUP', onHup);
  await broker?.close();
}

function simFleetBoard(root: string, id: string, dir: string, settings: Partial<Record<SettingName, string | number | Uint8Array>>): FleetBoard {
  const board = new SimBoard({ deviceId: id, stateDir: dir, bundlePath: join(root, 'dist', 'device', 'app.js'), settings });
  return {
    deviceId: id,
    get ledPin() {
      return Number(board.settings.get(SETTINGS.ledPin.key)?.v ?? SETTINGS.ledPin.default);
    },
    hasModel: () => !!board.state.get(SETTINGS.modelSlot.key)?.v,
    async installModel(bytes) {
      const { installModel } = await import('../meters/model.ts');
      installModel(board, bytes);
    },
    provision: (name, value) => board.provision(name, value),
    onLog: (cb) => board.on('log', cb),
    onGpio: (cb) => board.on('gpio', cb),
    boot: () => void board.boot(),
    close: async () => board.close(),
  };
}

async function nativeFleetBoard(
  root: string,
  build: { binary: string },
  id: string,
  dir: string,
  settings: Partial<Record<SettingName, string | number | Uint8Array>>,
): Promise<FleetBoard> {
  const { NativeBoard } = await import('../native/board.ts');
  const board = new NativeBoard({ deviceId: id, binary: build.binary, image: join(root, 'dist', 'device', 'app.img'), hostDir: dir, partitionsCsv: join(root, 'partitions.csv'), settings });
  return {
    deviceId: id,
    get ledPin() {
      return Number(board.setting('ledPin') ?? SETTINGS.ledPin.default);
    },
    hasModel: () => !!board.setting('modelSlot'),
    installModel(bytes) {
      board.writePartition('model_a', bytes);
      board.provision('modelSlot', 'model_a');
    },
    provision: (name, value) => board.provision(name, value),
    onLog: (cb) => board.on('log', cb),
    onGpio: (cb) => board.on('gpio', cb),
    boot: () => board.boot(),
    close: () => board.close(),
  };
}

async function buildNative(opts: SimOptions): Promise<{ binary: string; jsHeapKb: number }> {
  const { buildNativeSim, NativeSimError } = await import('../native/run.ts');
  try {
    return buildNativeSim({ root: opts.root, jsHeapKb: opts.jsHeapKb });
  } catch (err) {
    if (err instanceof NativeSimError) throw new SimError(err.message);
    throw err;
  }
}

/** The dashboard beside the embedded broker, on its WebSocket listener. */
async function startSimDashboard(root: string, wsUrl: string, port: number, fleet?: string): Promise<{ url: string; close(): Promise<void> }> {
  const { ensureDashboard } = await import('../dashboard/build.ts');
  const { startDashboardServer, DashboardError, fleetOperators } = await import('../dashboard/server.ts');
  try {
    return await startDashboardServer({ dir: await ensureDashboard(root), port, config: { wsUrl, prefix: DEFAULT_PREFIX, ...(fleet ? { operators: fleetOperators(fleet) } : {}) } });
  } catch (err) {
    if (err instanceof DashboardError) throw new SimError(err.message);
    throw err;
  }
}

function readPublicKey(path: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new SimError(`cannot read --ota-pubkey ${path}: ${(err as Error).message}`);
  }
  try {
    return publicKeyDer(bytes);
  } catch (err) {
    throw new SimError(`--ota-pubkey ${path} is not an ECDSA P-256 public key (SPKI PEM or DER): ${(err as Error).message}`);
  }
}

/** A development key pair, made on first start beside the simulator's state, so OTA works out of the box. */
function devKey(stateDir: string): { der: Uint8Array; note: string; privatePath?: string } {
  const base = join(dirname(resolve(stateDir)), 'keys', 'dev-ota');
  if (!existsSync(`${base}.pub`)) {
    if (existsSync(`${base}.key`)) throw new SimError(`${base}.key exists without ${base}.pub: remove it (a new dev key pair is made), or pass --ota-pubkey FILE`);
    mkdirSync(dirname(base), { recursive: true });
    writeKeyPair(base);
  }
  const rel = relative(process.cwd(), base);
  return { der: publicKeyDer(readFileSync(`${base}.pub`)), note: `${rel}.pub (dev key pair; sign updates with --key ${rel}.key)`, privatePath: `${rel}.key` };
}

/** `--meters N`: every device watches meter1..meterN, and a board without a model gets a quick one, trained at start. */
async function setUpMeters(opts: SimOptions, boards: FleetBoard[]): Promise<{ count: number; modelBytes: number }> {
  const count = opts.meters;
  if (count === 0) return { count, modelBytes: 0 };
  const { meterIds } = await import('../meters/gateway.ts');
  const { trainMeterModel } = await import('../meters/model.ts');
  const { bytes } = await trainMeterModel({ version: 1 });
  for (const b of boards) {
    b.provision('meters', meterIds(count).join(','));
    // A model that arrived by OTA stays; only a board with none gets the starter model.
    if (!b.hasModel()) await b.installModel(bytes);
  }
  return { count, modelBytes: bytes.length };
}

async function startGateway(url: string, meters: number, rate: number, conn?: Omit<BrokerConnection, 'url'>): Promise<MeterGateway> {
  const { startMeterGateway } = await import('../meters/gateway.ts');
  return startMeterGateway({ brokerUrl: url, meters, rate, ...conn });
}

/** Prints anomaly events as they come, so `npm start -- --meters 2` shows detection working. */
async function watchAnomalies(url: string, tty: boolean, out: (line: string) => void, conn?: Omit<BrokerConnection, 'url'>): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { clientId: `jw-sim-watch-${process.pid}`, reconnectPeriod: 1000, ...mqttAuthOptions(conn ?? {}) });
  await c.subscribeAsync(anyIdFilter(DEFAULT_PREFIX, SUFFIX.anomaly), { qos: 0 });
  c.on('message', (topic, payload) => {
    const color = tty ? '\x1b[35m' : '';
    let line = payload.toString();
    try {
      const e = JSON.parse(line) as { meter?: string; event?: string; class?: string; score?: number; model?: number };
      line = `${e.event ?? '?'} ${e.meter ?? ''} ${e.class ?? ''}${typeof e.score === 'number' ? ` score ${e.score.toFixed(2)}` : ''}${e.model ? ` (model v${e.model})` : ''}`;
    } catch {
      /* print as it came */
    }
    out(`${color}[${printable(topic.split('/')[1] ?? '')}] anomaly ${printable(line)}${color ? '\x1b[0m' : ''}`);
  });
  return c;
}
