import { Option, type Command } from 'commander';
import { CliError } from '../errors.ts';
import { addConnectionOptions, resolveConnection, type ConnectionFlags } from '../connection.ts';
import { DEFAULT_PREFIX, SUFFIX, anyIdFilter } from '../../../device/topics.ts';
import { optionalId, requirePrefix } from '../ids.ts';

function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new CliError(`${name}: expected a number >= 0, got "${v}"`, 2);
    return n;
  };
}

export default function register(program: Command): void {
  const collect = program
    .command('collect')
    .description('collect meter telemetry from MQTT into the raw CSV files (replaces mqtt_conversion.py on the receiving side)')
    .option('--topic <filter...>', 'topic filters; the meter is the level under the first +', [anyIdFilter(DEFAULT_PREFIX, SUFFIX.modbus)])
    .option('--out <dir>', 'output directory', 'data/raw')
    .option('--client-id <id>', 'fixed client id of the persistent session (default jerrywatt-collect-<hostname>)')
    .option('--registers <list>', 'registers of the register map, comma-separated: each gets its own mqtt_messages_<register> file; others go to the all-messages file only and are reported', '1006,1007,1009,1010,1011')
    .option('--rotate-mb <n>', 'start new files when the all-messages file reaches n MB (0 = never)', positiveNumber('--rotate-mb'), 64)
    .option('--rotate-min <n>', 'start new files every n minutes (0 = never)', positiveNumber('--rotate-min'), 60)
    .option('--stats-sec <n>', 'print counts to stderr every n seconds (0 = only at exit)', positiveNumber('--stats-sec'), 60);
  addConnectionOptions(collect)
    .addHelpText(
      'after',
      `
Writes, in --out, sets of files named as the old prototype did (stamp = UTC yyyymmdd_hhmmss):
  mqtt_all_messages_<stamp>.csv          Time,Topic,Start register,Raw data,meter,ts
  mqtt_messages_<register>_<stamp>.csv   the same columns, one register
  mqtt_register_counts_<stamp>.csv       meter,Start register,Count (written when the set is closed)
Payloads: {"register": 1006, "raw": 5012, "ts": 1767225600000}; "Start register"/"Raw data" are accepted too.
QoS 1 with a persistent session: readings published while the collector or the broker is down arrive later;
redeliveries are de-duplicated on (meter, register, ts). Bad payloads (the device's own parser decides) and
registers outside --registers are counted and reported on stderr. A write error (disk full) is reported and
stops collect with exit status 1; the reading it could not write stays queued in the broker session.
Ctrl-C closes the files and prints the counts. See docs/collect.md.`,
    )
    .action(async (o: ConnectionFlags & { topic: string[]; out: string; clientId?: string; registers: string; rotateMb: number; rotateMin: number; statsSec: number }) => {
      const { startCollector, formatStats } = await import('../../collect/collector.ts');
      const { isPrintable } = await import('../../text/sanitize.ts');
      // An empty or unprintable client id is refused by the broker, and mqtt.js would retry it for ever.
      if (o.clientId !== undefined && (o.clientId === '' || o.clientId.length > 64 || !isPrintable(o.clientId) || o.clientId.trim() !== o.clientId))
        throw new CliError(`--client-id must be 1..64 printable characters without surrounding spaces, got ${JSON.stringify(o.clientId)}`, 2);
      const registers = o.registers.split(',').map((r) => r.trim()).filter((r) => r !== '').map(Number);
      if (!registers.length || registers.some((r) => !Number.isInteger(r) || r < 0 || r > 65535)) throw new CliError(`--registers: expected comma-separated register numbers 0..65535, got "${o.registers}"`, 2);
      const conn = await resolveConnection(o);
      let onFatal: (err: Error) => void = () => {};
      const failed = new Promise<Error>((resolve) => (onFatal = resolve));
      const c = await startCollector({
        url: conn.url,
        topics: o.topic,
        outDir: o.out,
        clientId: o.clientId,
        username: conn.username,
        password: conn.password,
        ca: conn.ca,
        cert: conn.cert,
        key: conn.key,
        registers,
        onFatal: (err) => onFatal(err),
        rotation: { maxBytes: Math.round(o.rotateMb * 1024 * 1024), maxAgeMs: Math.round(o.rotateMin * 60_000) },
      });
      // Printed once the broker acknowledged the subscription (SUBACK), not at CONNECT: from then on a
      // reading published to the topics reaches us.
      void c.connected().then(() => process.stderr.write(`collect: connected to ${conn.url}, subscribed to ${o.topic.join(' ')}, writing to ${o.out}\n`));
      const statsTimer = o.statsSec > 0 ? setInterval(() => process.stderr.write(`collect: ${formatStats(c.stats)}\n`), o.statsSec * 1000) : null;
      let signalled: () => void = () => {};
      const signal = new Promise<void>((resolve) => (signalled = resolve));
      process.once('SIGINT', signalled);
      process.once('SIGTERM', signalled);
      const fatal = await Promise.race([signal.then(() => null), failed]);
      process.off('SIGINT', signalled);
      process.off('SIGTERM', signalled);
      if (statsTimer) clearInterval(statsTimer);
      let closeError: Error | null = null;
      try {
        await c.stop();
      } catch (err) {
        closeError = err as Error;
      }
      if (fatal || closeError) {
        process.stderr.write(`collect: stopped on an error; ${formatStats(c.stats)}\n`);
        throw new CliError(`collect: cannot write in ${o.out}: ${(fatal ?? closeError)!.message}`, 1);
      }
      process.stderr.write(`collect: stopped; ${formatStats(c.stats)}\n`);
    });

  const retrain = program
    .command('retrain')
    .description('train a meter model on newly collected telemetry; export (and publish) it only if it beats the current model on held-out data')
    .requiredOption('--data <paths...>', 'collected CSVs: files, or directories of mqtt_all_messages_*.csv (jerrywatt collect --out)')
    .requiredOption('--current <model>', 'the model in service (model.bin or model.json); a missing file means none yet')
    .option('--out <dir>', 'where the new model goes (default: the directory of --current, whose model.bin it replaces)')
    .option('--metric <m>', 'f1 (anomaly vs normal), macroF1 (per class) or accuracy', 'f1')
    .option('--min-gain <x>', 'the new model must beat the current by more than this', positiveNumber('--min-gain'), 0)
    .option('--model-version <n>', 'version of the new model (default: current + 1; required when --current is a model.json without its version)')
    .addOption(new Option('--version <n>', 'old name of --model-version').hideHelp())
    .option('--register-map <map>', 'the devices\' meterRegs setting, register:quantity:scale[:offset],...')
    .option('--trees <n>', 'trees', positiveNumber('--trees'), 20)
    .option('--max-depth <n>', 'maximum tree depth', positiveNumber('--max-depth'), 10)
    .option('--min-leaf <n>', 'minimum samples per leaf', positiveNumber('--min-leaf'), 3)
    .option('--seed <n>', 'random seed (split and trees)', positiveNumber('--seed'), 1)
    .option('--quantize <q>', 'thresholds: float32 or int16', 'float32')
    .option('--publish', 'send the new model to devices as a model OTA (needs --key and --device or --group)')
    .option('--key <pem>', 'OTA signing private key (jerrywatt ota keygen)')
    .option('--device <id>', 'publish to this device')
    .option('--group <g>', 'publish to this group')
    .option('--timeout <sec>', 'give up on devices that have not finished the OTA', positiveNumber('--timeout'), 600)
    .option('--json', 'print the result as JSON');
  addConnectionOptions(retrain, { brokerDefault: 'mqtt://127.0.0.1:1883', brokerHelp: 'MQTT broker for --publish', keyTaken: true })
    .addHelpText(
      'after',
      `
Both models are scored on the same held-out samples (20 %, split by blocks of samples, never by row), labelled
by the EN 50160 limits (voltage outside 230 V +-10 %: sag/swell; frequency outside 49.5-50.5 Hz: freq).
Exit status 0 whether or not the model changed; 1 when a publish was asked for and a device did not accept.
Daily, from cron (docs/anomaly.md):
  15 3 * * * cd /srv/jerrywatt && npx jerrywatt retrain --data data/raw --current models/meter/model.bin --publish --key ota-signing.key --group meters >> retrain.log 2>&1`,
    )
    .action(async (o: { data: string[]; current: string; out?: string; metric: string; minGain: number; modelVersion?: string; version?: string; registerMap?: string; trees: number; maxDepth: number; minLeaf: number; seed: number; quantize: string; publish?: boolean; key?: string; device?: string; group?: string; timeout: number; json?: boolean } & ConnectionFlags) => {
      const { runRetrain } = await import('../../retrain/index.ts');
      const { printable, printableJson } = await import('../../text/sanitize.ts');
      const { RETRAIN_METRICS } = await import('../../retrain/evaluate.ts');
      const { join } = await import('node:path');
      const { packageRoot: repoRoot } = await import('../../paths.ts');
      if (!RETRAIN_METRICS.includes(o.metric as never)) throw new CliError(`--metric must be one of ${RETRAIN_METRICS.join(', ')}, got "${o.metric}"`, 2);
      if (o.quantize !== 'float32' && o.quantize !== 'int16') throw new CliError(`--quantize must be float32 or int16, got "${o.quantize}"`, 2);
      const versionText = o.modelVersion ?? o.version;
      const version = versionText === undefined ? undefined : Number(versionText);
      if (version !== undefined && !(Number.isInteger(version) && version >= 1 && version <= 0x7fffffff)) throw new CliError(`--model-version must be an integer >= 1, got "${versionText}"`, 2);
      optionalId('device', o.device, '--device');
      optionalId('group', o.group, '--group');
      requirePrefix(o.prefix);
      if (o.publish && (!o.key || !!o.device === !!o.group)) throw new CliError('--publish needs --key and exactly one of --device, --group', 2);
      const conn = o.publish ? await resolveConnection({ ...o, key: undefined }) : null;
      let r;
      try {
        r = await runRetrain({
          data: o.data,
          current: o.current,
          outDir: o.out,
          metric: o.metric as 'f1',
          minGain: o.minGain,
          version,
          registerMap: o.registerMap,
          trees: o.trees,
          maxDepth: o.maxDepth,
          minLeaf: o.minLeaf,
          seed: o.seed,
          quantize: o.quantize,
          partitionsCsv: join(repoRoot(), 'partitions.csv'),
          publish: conn ? { broker: conn.url, key: o.key!, device: o.device, group: o.group, prefix: conn.prefix, timeoutMs: o.timeout * 1000, username: conn.username, password: conn.password, tls: { ca: conn.ca, cert: conn.cert, key: conn.key } } : undefined,
          log: (l) => process.stderr.write(`retrain: ${printable(l)}\n`), // may quote devices' OTA states
        });
      } catch (err) {
        throw new CliError(`retrain: ${(err as Error).message}`);
      }
      const summary = {
        better: r.better,
        metric: r.metric,
        heldOut: r.heldOutRows,
        current: { version: r.current.version, score: r.current.evaluation ? r.current.score : null, note: r.current.unscored },
        candidate: { version: r.candidate.version, score: r.candidate.score },
        model: r.exported?.files.bin,
        published: r.published ? Object.fromEntries([...r.published.devices.values()].map((d) => [d.id, d.state])) : undefined,
      };
      process.stdout.write(o.json ? printableJson(summary) + '\n' : `${r.better ? `new model v${r.candidate.version} written to ${r.exported!.files.bin}` : `kept model v${r.current.version}`} (${r.metric}: ${summary.current.score ?? 'n/a'} -> ${r.candidate.score.toFixed(4)})\n`);
      if (r.published && !r.published.ok) throw new CliError('retrain: not every device accepted the new model', 1);
    });
}
