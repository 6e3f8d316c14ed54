import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { addConnectionOptions, resolveConnection, type ConnectionFlags } from '../connection.ts';
import { DEFAULT_PREFIX } from '../../../device/topics.ts';
import { CliError } from '../errors.ts';
import { packageRoot as repoRoot } from '../../paths.ts';

interface SimCliOptions extends Omit<ConnectionFlags, 'prefix'> {
  mqttPort: string;
  host?: string;
  fleet?: string;
  devices: string;
  stateDir: string;
  fresh?: boolean;
  otaPubkey?: string;
  quiet?: boolean;
  build: boolean;
  native?: boolean;
  jsHeapKb?: string;
  meters: string;
  meterRate: string;
  set: string[];
  wsPort: string;
  dashboard: boolean;
  dashboardPort: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** A numeric flag as a number; a word where a number belongs is the user's error, said as such. */
function num(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new CliError(`${flag} must be a number, got "${v}"`);
  return n;
}

export default function register(program: Command): void {
  const cmd = program
    .command('sim')
    .description('run simulated devices (the real device bundle) against an embedded MQTT broker (npm start)')
    .option('--mqtt-port <n>', 'port of the embedded broker', '1883')
    .option('--host <addr>', 'address the embedded broker listens on (default 127.0.0.1); beyond loopback only with --fleet (TLS and authentication)')
    .option('--fleet <dir>', 'secure the embedded broker with the fleet in DIR: TLS, its identities and ACL; devices dev1..devN use their provisioned credentials (docs/security.md)')
    .option('--devices <n>', 'number of simulated devices: dev1..devN', '1')
    .option('--state-dir <dir>', 'where each device keeps its flash, settings and state', '.jerrywatt/sim')
    .option('--fresh', 'erase the devices\' flash and state first')
    .option('--ota-pubkey <file>', 'OTA public key (SPKI, PEM or DER) provisioned into every device (default: a dev key pair made on first start)')
    .option('--native', 'run dist/device/app.img on the real JerryScript engine and the C runtime (needs JERRYSCRIPT_PATH; docs/firmware.md)')
    .option('--js-heap-kb <n>', 'with --native: the engine\'s JS heap in KB (default: the firmware\'s, build/engine-config.json)')
    .option('--meters <n>', 'also run a meter gateway publishing N meters (meter1..meterN) that every device watches, with scheduled sags, swells and frequency excursions', '0')
    .option('--meter-rate <hz>', 'meter samples per second', '1')
    .option('--set <name=value>', 'any non-secret setting from device/settings/keys.ts, e.g. --set ledPin=4 (repeatable)', collect, [])
    .option('--ws-port <n>', "port of the embedded broker's MQTT-over-WebSocket listener (the dashboard's)", '9001')
    .option('--dashboard-port <n>', 'port of the dashboard page (0 picks a free one)', '8080')
    .option('--no-dashboard', 'do not serve the dashboard')
    .option('--no-build', 'do not rebuild dist/device/app.js and app.img first')
    .option('-q, --quiet', 'print only warnings and errors from devices')
    .addHelpText('after', '\nThen try:  npx jerrywatt led on --device dev1');
  addConnectionOptions(cmd, { brokerHelp: 'use this broker instead of starting one (mqtt://host:port, mqtts://...); the devices use --username, --password-file, --ca, --cert, --key', noPrefix: true })
    .action(async (opts: SimCliOptions) => {
      const root = repoRoot();
      // An installed package ships a prebuilt dist/device/ and no device sources: rebuild only in a checkout.
      if (opts.build && existsSync(join(root, 'device', 'main.ts'))) {
        const { buildDevice, BuildError } = await import('../../../build/bundle.ts');
        try {
          await buildDevice({ root, appVersion: 1 });
        } catch (err) {
          if (err instanceof BuildError) throw new CliError(err.message);
          throw err;
        }
      }
      const conn = opts.broker ? await resolveConnection({ ...opts, prefix: DEFAULT_PREFIX }) : null;
      const { runSim, SimError } = await import('../../sim/run.ts');
      try {
        await runSim({
          root,
          mqttPort: num('--mqtt-port', opts.mqttPort),
          broker: conn?.url,
          ...(conn ? { connection: { username: conn.username, password: conn.password, ca: conn.ca, cert: conn.cert, key: conn.key } } : {}),
          ...(opts.host ? { host: opts.host } : {}),
          ...(opts.fleet ? { fleet: opts.fleet } : {}),
          devices: num('--devices', opts.devices),
          stateDir: opts.stateDir,
          fresh: opts.fresh,
          otaPubkey: opts.otaPubkey,
          quiet: opts.quiet,
          native: opts.native,
          jsHeapKb: opts.jsHeapKb === undefined ? undefined : num('--js-heap-kb', opts.jsHeapKb),
          meters: num('--meters', opts.meters),
          meterRate: num('--meter-rate', opts.meterRate),
          set: opts.set,
          wsPort: opts.dashboard ? num('--ws-port', opts.wsPort) : undefined,
          dashboardPort: opts.dashboard ? num('--dashboard-port', opts.dashboardPort) : undefined,
        });
      } catch (err) {
        if (err instanceof SimError) throw new CliError(err.message);
        throw err;
      }
    });
}
