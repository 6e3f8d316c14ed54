import type { Command } from 'commander';

export interface SimCliOptions {
  mqttPort: string;
  broker?: string;
  devices: string;
  stateDir: string;
  fresh?: boolean;
  otaPubkey?: string;
  quiet?: boolean;
  build: boolean;
  native?: boolean;
  meters: string;
  meterRate: string;
  wsPort: string;
  dashboard: boolean;
  dashboardPort: string;
}

export default function register(program: Command): void {
  program
    .command('sim')
    .description('run simulated devices (the real device bundle) against an embedded MQTT broker (npm start)')
    .option('--mqtt-port <n>', 'port of the embedded broker', '1883')
    .option('--broker <url>', 'use this broker instead of starting one (mqtt://host:port)')
    .option('--devices <n>', 'number of simulated devices: dev1..devN', '1')
    .option('--state-dir <dir>', 'where each device keeps its flash, settings and state', '.jerrywatt/sim')
    .option('--fresh', 'erase the devices\' flash and state first')
    .option('--ota-pubkey <file>', 'OTA public key (SPKI, PEM or DER) provisioned into every device (default: a dev key pair made on first start)')
    .option('--native', 'run dist/device/app.img on the real JerryScript engine and the C runtime (needs JERRYSCRIPT_PATH; docs/firmware.md)')
    .option('--meters <n>', 'also run a meter gateway publishing N meters (meter1..meterN) that every device watches, with scheduled sags, swells and frequency excursions', '0')
    .option('--meter-rate <hz>', 'meter samples per second', '1')
    .option('--ws-port <n>', "port of the embedded broker's MQTT-over-WebSocket listener (the dashboard's)", '9001')
    .option('--dashboard-port <n>', 'port of the dashboard page (0 picks a free one)', '8080')
    .option('--no-dashboard', 'do not serve the dashboard')
    .option('--no-build', 'do not rebuild dist/device/app.js first')
    .option('-q, --quiet', 'print only warnings and errors from devices')
    .addHelpText('after', '\nThen try:  npx jerrywatt led on --device dev1')
    .action(async (opts: SimCliOptions) => {
      const { runSim } = await import('../../sim/run.ts');
      await runSim(opts);
    });
}
