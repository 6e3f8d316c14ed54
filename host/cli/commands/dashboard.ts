import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { packageRoot as repoRoot } from '../../paths.ts';
import { requirePrefix } from '../ids.ts';

export interface DashboardCliOptions {
  broker: string;
  port: string;
  host?: string;
  prefix: string;
}

export default function register(program: Command): void {
  program
    .command('dashboard')
    .description('serve the browser dashboard: live telemetry, the fleet, LED control, OTA progress and anomalies (also started by `jerrywatt sim`)')
    .option('-b, --broker <url>', "the broker's MQTT-over-WebSocket listener (ws:// or wss://)", 'ws://127.0.0.1:9001/mqtt')
    .option('-p, --port <n>', 'HTTP port of the page (0 picks a free one)', '8080')
    .option('--host <addr>', 'bind to this address instead of 127.0.0.1 (the page holds no secrets, but anyone who reaches it can try the broker)')
    .option('--prefix <p>', 'topic prefix', 'esp')
    .addHelpText(
      'after',
      '\nThe page talks MQTT to the broker itself over WebSocket; this command only serves files.\nExamples:\n  jerrywatt dashboard                                  # beside `jerrywatt sim`, which starts one already\n  jerrywatt dashboard --broker wss://broker.example:8884/mqtt --port 8081',
    )
    .action(async (opts: DashboardCliOptions) => {
      requirePrefix(opts.prefix);
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number, got "${opts.port}"`);
      if (!/^wss?:\/\/[^/]+/.test(opts.broker)) throw new CliError(`--broker must be the broker's WebSocket listener (ws://host:port/path or wss://...), got "${opts.broker}"`);
      const { ensureDashboard } = await import('../../dashboard/build.ts');
      const { startDashboardServer, DashboardError } = await import('../../dashboard/server.ts');
      let server;
      try {
        const dir = await ensureDashboard(repoRoot());
        server = await startDashboardServer({ dir, port, host: opts.host, allowRemote: opts.host !== undefined, config: { wsUrl: opts.broker, prefix: opts.prefix } });
      } catch (err) {
        if (err instanceof DashboardError) throw new CliError(err.message);
        throw err;
      }
      process.stdout.write(`dashboard ${server.url}  (broker ${opts.broker})\nCtrl-C stops.\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await server.close();
    });
}
