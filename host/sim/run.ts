/** `jerrywatt sim`: the embedded broker (or a given one) and N simulated boards, until Ctrl-C. */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { publicKeyDer, writeKeyPair } from '../ota/offer.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../broker/embedded.ts';
import { CliError } from '../cli/errors.ts';
import { repoRoot } from '../cli/paths.ts';
import type { SimCliOptions } from '../cli/commands/sim.ts';
import { SimBoard } from './board.ts';
import { SETTINGS } from '../../device/settings/keys.ts';
import mqtt, { type MqttClient } from 'mqtt';
import type { MeterGateway } from '../meters/gateway.ts';

const LEVEL_COLOR: Record<string, string> = { error: '\x1b[31m', warn: '\x1b[33m', info: '', debug: '\x1b[2m' };

export async function runSim(opts: SimCliOptions): Promise<void> {
  const devices = Number(opts.devices);
  if (!Number.isInteger(devices) || devices < 1 || devices > 1000) throw new CliError(`--devices must be 1..1000, got "${opts.devices}"`);
  const port = Number(opts.mqttPort);
  if (!opts.broker && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new CliError(`--mqtt-port must be a port number, got "${opts.mqttPort}"`);
  if (opts.broker && !/^mqtts?:\/\/[^/]+/.test(opts.broker)) throw new CliError(`--broker must look like mqtt://host:port, got "${opts.broker}"`);

  const key = opts.otaPubkey ? { der: readPublicKey(opts.otaPubkey), note: opts.otaPubkey } : devKey(opts.stateDir);
  const pubkey = key.der;

  if (opts.native) {
    const { runNativeSim, NativeSimError } = await import('../native/run.ts');
    try {
      const sim = runNativeSim({ root: repoRoot(), onLine: (l) => process.stdout.write(l + '\n') });
      process.once('SIGINT', () => sim.stop());
      process.exitCode = await sim.done;
      return;
    } catch (err) {
      if (err instanceof NativeSimError) throw new CliError(err.message);
      throw err;
    }
  }

  // An installed package ships a prebuilt dist/device/app.js and no device sources: rebuild only in a checkout.
  if (opts.build && existsSync(join(repoRoot(), 'device', 'main.ts'))) {
    const { buildDevice, BuildError } = await import('../../build/bundle.ts');
    try {
      await buildDevice({ root: repoRoot(), appVersion: 1 });
    } catch (err) {
      if (err instanceof BuildError) throw new CliError(err.message);
      throw err;
    }
  }

  let broker: EmbeddedBroker | null = null;
  let url = opts.broker;
  if (!url) {
    try {
      broker = await startEmbeddedBroker({ port });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE') throw new CliError(`port ${port} is in use: pass --mqtt-port N, or --broker mqtt://127.0.0.1:${port} to use the broker already there`);
      throw err;
    }
    url = broker.url;
  }

  const stateDir = resolve(opts.stateDir);
  const tty = process.stdout.isTTY;
  const boards: SimBoard[] = [];
  for (let i = 1; i <= devices; i++) {
    const id = `dev${i}`;
    const dir = join(stateDir, id);
    if (opts.fresh) rmSync(dir, { recursive: true, force: true });
    const board = new SimBoard({ deviceId: id, stateDir: dir, settings: { deviceId: id, brokerUrl: url, ...(pubkey ? { otaPubKey: pubkey } : {}) } });
    board.on('log', (level, msg) => {
      if (opts.quiet && (level === 'info' || level === 'debug')) return;
      const color = tty ? (LEVEL_COLOR[level] ?? '') : '';
      process.stdout.write(`${color}[${id}] ${level.padEnd(5)} ${msg}${color ? '\x1b[0m' : ''}\n`);
    });
    // The command LED only: the alarm LED blinks all through an anomaly, which the anomaly lines already say.
    const ledPin = Number(board.settings.get('ledPin')?.v ?? SETTINGS.ledPin.default);
    board.on('gpio', (pin, level) => {
      if (!opts.quiet && pin === ledPin) process.stdout.write(`[${id}] gpio  ${pin} -> ${level ? 'HIGH (LED on)' : 'LOW (LED off)'}\n`);
    });
    boards.push(board);
  }
  const meters = await setUpMeters(opts, boards);
  for (const b of boards) b.boot();
  const watch = meters.count ? await watchAnomalies(url, tty) : null;
  const gateway = meters.count ? await startGateway(url, meters.count, Number(opts.meterRate)) : null;

  process.stdout.write(
    [
      '',
      `broker   ${url}${broker ? ' (embedded aedes)' : ''}`,
      `devices  ${boards.map((b) => b.deviceId).join(', ')}  (state in ${opts.stateDir})`,
      `OTA key  ${key.note}`,
      ...(meters.count ? [`meters   ${gateway!.meters.join(', ')} at ${opts.meterRate}/s, watched by every device (model v1, ${meters.modelBytes} B in model_a)`] : []),
      '',
      'Try, in another terminal:',
      '  npx jerrywatt led on --device dev1          # light the LED, print the state it reports',
      '  npx jerrywatt led toggle --device all       # every device at once',
      ...(key.privatePath ? [`  npx jerrywatt build --app-version 2 && npx jerrywatt ota publish --device dev1 --kind app --file dist/device/app.img --version 2 --key ${key.privatePath}`] : []),
      ...(meters.count ? [`  mosquitto_sub -h ${new URL(url).hostname} -p ${new URL(url).port || 1883} -t 'esp/+/anomaly' -v   # detection events`] : ['  npm start -- --meters 2                     # meter telemetry and anomaly detection on every device']),
      `  mosquitto_sub -h ${new URL(url).hostname} -p ${new URL(url).port || 1883} -t 'esp/#' -v   # watch everything`,
      '',
      'Ctrl-C stops.',
      '',
    ].join('\n'),
  );

  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('\nstopping...\n');
  await gateway?.stop();
  await watch?.endAsync(true);
  for (const b of boards) b.close();
  await broker?.close();
}

function readPublicKey(path: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new CliError(`cannot read --ota-pubkey ${path}: ${(err as Error).message}`);
  }
  try {
    return publicKeyDer(bytes);
  } catch (err) {
    throw new CliError(`--ota-pubkey ${path} is not an ECDSA P-256 public key (SPKI PEM or DER): ${(err as Error).message}`);
  }
}

/** A development key pair, made on first start beside the simulator's state, so OTA works out of the box. */
function devKey(stateDir: string): { der: Uint8Array; note: string; privatePath?: string } {
  const base = join(dirname(resolve(stateDir)), 'keys', 'dev-ota');
  if (!existsSync(`${base}.pub`)) {
    if (existsSync(`${base}.key`)) throw new CliError(`${base}.key exists without ${base}.pub: remove it (a new dev key pair is made), or pass --ota-pubkey FILE`);
    mkdirSync(dirname(base), { recursive: true });
    writeKeyPair(base);
  }
  const rel = relative(process.cwd(), base);
  return { der: publicKeyDer(readFileSync(`${base}.pub`)), note: `${rel}.pub (dev key pair; sign updates with --key ${rel}.key)`, privatePath: `${rel}.key` };
}

/** `--meters N`: every device watches meter1..meterN, and a board without a model gets a quick one (about 1 s). */
async function setUpMeters(opts: SimCliOptions, boards: SimBoard[]): Promise<{ count: number; modelBytes: number }> {
  const count = Number(opts.meters);
  if (!Number.isInteger(count) || count < 0 || count > 1000) throw new CliError(`--meters must be 0..1000, got "${opts.meters}"`);
  const rate = Number(opts.meterRate);
  if (!(rate > 0 && rate <= 100)) throw new CliError(`--meter-rate must be in (0, 100] samples per second, got "${opts.meterRate}"`);
  if (count === 0) return { count, modelBytes: 0 };
  const { meterIds } = await import('../meters/gateway.ts');
  const { trainMeterModel, installModel } = await import('../meters/model.ts');
  const { bytes } = await trainMeterModel({ version: 1 });
  for (const b of boards) {
    b.provision('meters', meterIds(count).join(','));
    // A model that arrived by OTA stays; only a board with none gets the starter model.
    if (!b.state.get('modelSlot')) installModel(b, bytes);
  }
  return { count, modelBytes: bytes.length };
}

async function startGateway(url: string, meters: number, rate: number): Promise<MeterGateway> {
  const { startMeterGateway } = await import('../meters/gateway.ts');
  return startMeterGateway({ brokerUrl: url, meters, rate });
}

/** Prints anomaly events as they come, so `npm start -- --meters 2` shows detection working. */
async function watchAnomalies(url: string, tty: boolean): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { clientId: `jw-sim-watch-${process.pid}`, reconnectPeriod: 1000 });
  await c.subscribeAsync('esp/+/anomaly', { qos: 0 });
  c.on('message', (topic, payload) => {
    const color = tty ? '\x1b[35m' : '';
    let line = payload.toString();
    try {
      const e = JSON.parse(line) as { meter?: string; event?: string; class?: string; score?: number; model?: number };
      line = `${e.event ?? '?'} ${e.meter ?? ''} ${e.class ?? ''}${typeof e.score === 'number' ? ` score ${e.score.toFixed(2)}` : ''}${e.model ? ` (model v${e.model})` : ''}`;
    } catch {
      /* print as it came */
    }
    process.stdout.write(`${color}[${topic.split('/')[1]}] anomaly ${line}${color ? '\x1b[0m' : ''}\n`);
  });
  return c;
}
