import type { Command } from 'commander';
import { CliError } from '../errors.ts';

function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new CliError(`${name}: expected a number >= 0, got "${v}"`, 2);
    return n;
  };
}

export default function register(program: Command): void {
  program
    .command('collect')
    .description('collect meter telemetry from MQTT into the raw CSV files (replaces mqtt_conversion.py on the receiving side)')
    .option('--broker <url>', 'broker URL (mqtt:// or mqtts://)', 'mqtt://127.0.0.1:1883')
    .option('--topic <filter...>', 'topic filters; the meter is the level under the first +', ['esp/+/modbus'])
    .option('--out <dir>', 'output directory', 'data/raw')
    .option('--client-id <id>', 'fixed client id of the persistent session (default jerrywatt-collect-<hostname>)')
    .option('--username <name>', 'MQTT username')
    .option('--password-env <var>', 'name of the environment variable holding the MQTT password')
    .option('--ca <file>', 'PEM CA certificate for mqtts')
    .option('--rotate-mb <n>', 'start new files when the all-messages file reaches n MB (0 = never)', positiveNumber('--rotate-mb'), 64)
    .option('--rotate-min <n>', 'start new files every n minutes (0 = never)', positiveNumber('--rotate-min'), 60)
    .option('--stats-sec <n>', 'print counts to stderr every n seconds (0 = only at exit)', positiveNumber('--stats-sec'), 60)
    .addHelpText(
      'after',
      `
Writes, in --out, sets of files named as the old prototype did (stamp = UTC yyyymmdd_hhmmss):
  mqtt_all_messages_<stamp>.csv          Time,Topic,Start register,Raw data,meter,ts
  mqtt_messages_<register>_<stamp>.csv   the same columns, one register
  mqtt_register_counts_<stamp>.csv       meter,Start register,Count (written when the set is closed)
Payloads: {"register": 1006, "raw": 5012, "ts": 1767225600000}; "Start register"/"Raw data" are accepted too.
QoS 1 with a persistent session: readings published while the collector or the broker is down arrive later;
redeliveries are de-duplicated on (meter, register, ts). Bad payloads are counted and reported on stderr.
Ctrl-C closes the files and prints the counts. See docs/collect.md.`,
    )
    .action(async (o: { broker: string; topic: string[]; out: string; clientId?: string; username?: string; passwordEnv?: string; ca?: string; rotateMb: number; rotateMin: number; statsSec: number }) => {
      const { readFileSync } = await import('node:fs');
      const { startCollector, formatStats } = await import('../../collect/collector.ts');
      let password: string | undefined;
      if (o.passwordEnv) {
        password = process.env[o.passwordEnv];
        if (password === undefined) throw new CliError(`collect: environment variable ${o.passwordEnv} is not set`, 2);
      }
      let ca: string | undefined;
      if (o.ca) {
        try {
          ca = readFileSync(o.ca, 'utf8');
        } catch (err) {
          throw new CliError(`collect: cannot read --ca ${o.ca}: ${(err as Error).message}`, 2);
        }
      }
      const c = await startCollector({
        url: o.broker,
        topics: o.topic,
        outDir: o.out,
        clientId: o.clientId,
        username: o.username,
        password,
        ca,
        rotation: { maxBytes: Math.round(o.rotateMb * 1024 * 1024), maxAgeMs: Math.round(o.rotateMin * 60_000) },
      });
      c.client.once('connect', () => process.stderr.write(`collect: connected to ${o.broker}, subscribed to ${o.topic.join(' ')}, writing to ${o.out}\n`));
      const statsTimer = o.statsSec > 0 ? setInterval(() => process.stderr.write(`collect: ${formatStats(c.stats)}\n`), o.statsSec * 1000) : null;
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      if (statsTimer) clearInterval(statsTimer);
      await c.stop();
      process.stderr.write(`collect: stopped; ${formatStats(c.stats)}\n`);
    });

  program
    .command('retrain')
    .description('retrain on newly collected data and publish the model if it is better (not built yet: see the anomaly-detection issue)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('retrain: not built yet', 2);
    });
}
