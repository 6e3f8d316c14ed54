/** `jerrywatt sim`: the embedded broker (or a given one) and N simulated boards, until Ctrl-C. */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { publicKeyDer, writeKeyPair } from '../ota/offer.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../broker/embedded.ts';
import { CliError } from '../cli/errors.ts';
import { repoRoot } from '../cli/paths.ts';
import type { SimCliOptions } from '../cli/commands/sim.ts';
import { SimBoard } from './board.ts';

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

  if (opts.build) {
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
    board.on('gpio', (pin, level) => {
      if (!opts.quiet) process.stdout.write(`[${id}] gpio  ${pin} -> ${level ? 'HIGH (LED on)' : 'LOW (LED off)'}\n`);
    });
    boards.push(board);
  }
  for (const b of boards) b.boot();

  process.stdout.write(
    [
      '',
      `broker   ${url}${broker ? ' (embedded aedes)' : ''}`,
      `devices  ${boards.map((b) => b.deviceId).join(', ')}  (state in ${opts.stateDir})`,
      `OTA key  ${key.note}`,
      '',
      'Try, in another terminal:',
      '  npx jerrywatt led on --device dev1          # light the LED, print the state it reports',
      '  npx jerrywatt led toggle --device all       # every device at once',
      ...(key.privatePath ? [`  npx jerrywatt build --app-version 2 && npx jerrywatt ota publish --device dev1 --kind app --file dist/device/app.img --version 2 --key ${key.privatePath}`] : []),
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
    mkdirSync(dirname(base), { recursive: true });
    writeKeyPair(base);
  }
  const rel = relative(process.cwd(), base);
  return { der: publicKeyDer(readFileSync(`${base}.pub`)), note: `${rel}.pub (dev key pair; sign updates with --key ${rel}.key)`, privatePath: `${rel}.key` };
}
