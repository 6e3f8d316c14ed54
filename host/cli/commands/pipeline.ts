import type { Command } from 'commander';
import { Option } from 'commander';
import { join } from 'node:path';
import { CliError } from '../errors.ts';
import { packageRoot as repoRoot } from '../../paths.ts';
import { DEVICE_DEFAULTS, TRAIN_WINDOWS } from '../../pipeline/fit/defaults.ts';
import type { FitOptions } from '../../pipeline/fit/index.ts';

// train, fit, export, evaluate (the training issue). synth and process are registered in data.ts.

const int = (name: string, min = 0) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name} must be an integer >= ${min}, not "${v}"`);
  return n;
};
const num = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CliError(`${name} must be a number, not "${v}"`);
  return n;
};

type ForestCliOptions = Omit<FitOptions, 'onProgress'>;

function forestOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--trainer <name>', 'our trainer, or the ml-random-forest baseline (slow: O(rows^2))').choices(['jerrywatt', 'ml-random-forest']).default('jerrywatt'))
    .addOption(new Option('--target <kind>', 'class: disturbance class (default when the data has one); binary: the 0/1 target').choices(['class', 'binary']))
    .option('--trees <n>', 'number of trees', int('--trees', 1), DEVICE_DEFAULTS.trees)
    .option('--max-depth <n>', 'maximum tree depth', int('--max-depth', 1), DEVICE_DEFAULTS.maxDepth)
    .option('--min-leaf <n>', 'minimum samples per leaf', int('--min-leaf', 1), DEVICE_DEFAULTS.minLeaf)
    .option('--max-features <n>', 'features tried per split (default: sqrt of the feature count)', int('--max-features', 1))
    .option('--max-bins <n>', 'feature bins for the split search (2-256)', int('--max-bins', 2), 256)
    .addOption(new Option('--class-weight <w>', 'weight classes by inverse frequency, or not').choices(['balanced', 'none']).default('balanced'))
    .option('--seed <n>', 'seed (split, bootstrap, features)', int('--seed'), 1)
    .option('--workers <n>', 'worker threads (default: one per core)', int('--workers', 0))
    .option('--test-fraction <f>', 'share of windows held out for testing', num('--test-fraction'), 0.2);
}

function dataOptions(cmd: Command): Command {
  return cmd
    .option('--sampling-rate <hz>', 'waveform CSVs: sampling rate (default: the rows\' Sampling_Rate column, else the sidecar)', num('--sampling-rate'))
    .option('--mains-frequency <hz>', 'waveform CSVs: mains frequency, 50 or 60 (default: the rows, the sidecar, else 50)', mains)
    .option('--nominal-voltage <v>', 'waveform CSVs: nominal RMS voltage (default: the rows, the sidecar, else 230 V at 50 Hz / 120 V at 60 Hz)', num('--nominal-voltage'))
    .option('--strict', 'fail at the first malformed row instead of skipping it');
}

/** "1000,2000,6400" or one rate. */
const rateList = (v: string): number[] => {
  const r = v.split(',').map((s) => Number(s.trim()));
  if (!r.length || r.some((x) => !(x >= 1000))) throw new CliError(`--sampling-rate must be one rate or a comma-separated list of rates of at least 1000 Hz, not "${v}"`);
  return r;
};
const mainsChoice = (v: string): 50 | 60 | 'both' => {
  if (v === 'both') return v;
  if (v !== '50' && v !== '60') throw new CliError(`--mains-frequency must be 50, 60 or both, not "${v}"`);
  return Number(v) as 50 | 60;
};
/** "20-50" (dB). */
export const snrRange = (v: string): [number, number] => {
  const m = v.split('-').map((s) => Number(s.trim()));
  if (m.length !== 2 || !m.every(Number.isFinite) || !(m[0]! <= m[1]!)) throw new CliError(`--snr must be LO-HI in dB, e.g. 20-50, not "${v}"`);
  return [m[0]!, m[1]!];
};
const ratio = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new CliError(`${name} must be within 0..1, not "${v}"`);
  return n;
};

async function wrap<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError((err as Error).message);
  }
}

const mains = (v: string): 50 | 60 => {
  if (v !== '50' && v !== '60') throw new CliError(`--mains-frequency must be 50 or 60, not "${v}"`);
  return Number(v) as 50 | 60;
};

const PARTITIONS_HELP = "partition table holding the model slot (default: this repository's partitions.csv)";
const partitions = (p: string | undefined): string => p ?? join(repoRoot(), 'partitions.csv');

export default function register(program: Command): void {
  forestOptions(
    program
      .command('train')
      .description('synth (or --data), process, fit, export and evaluate, into one directory (npm run train)')
      .option('--out <dir>', 'output directory', 'out/train')
      .option('--data <csv...>', 'waveform, processed or raw Modbus CSVs (or directories of mqtt_all_messages_*.csv) to train on instead of synthetic data')
      .option('--windows <n>', 'synthetic windows to generate', int('--windows', 1), TRAIN_WINDOWS)
      .option('--sampling-rate <hz>', 'synthetic data: rates the windows draw from, e.g. 1000,2000,3200,6400 (the default); --data: the files\' one rate', rateList)
      .option('--mains-frequency <hz>', 'synthetic data: 50, 60 or both (default both); --data: the files\' mains frequency when they do not say', mainsChoice)
      .option('--nominal-voltage <v>', 'nominal RMS voltage (default 230 V at 50 Hz, 120 V at 60 Hz); features are per unit of it', num('--nominal-voltage'))
      .option('--snr <lo-hi>', 'synthetic data: white-noise SNR range in dB (default 20-50)', snrRange)
      .option('--normal-ratio <r>', 'synthetic data: share of normal windows (default 0.5)', ratio('--normal-ratio'))
      .option('--max-false-alarm <rate>', 'choose the decision threshold so that at most this share of normal windows alarms (out-of-bag), e.g. 0.01; carried in model.json and model.bin, used by host and device alike', ratio('--max-false-alarm'))
      .option('--register-map <map>', 'raw Modbus data: register map, register:quantity:scale[:offset],... (the device\'s meterRegs syntax; default: the device default, or the prototype\'s unscaled map for files without a ts column)')
      .option('--strict', 'fail at the first malformed row instead of skipping it')
      .addOption(new Option('--features <kind>', 'waveform: the host analysis model; meter: the model the device runs, on meter telemetry features (synthetic, or collected CSVs given with --data; raw Modbus --data picks it by itself)').choices(['waveform', 'meter']).default('waveform'))
      .addOption(new Option('--quantize <kind>', 'thresholds in model.bin').choices(['float32', 'int16']).default('float32'))
      .option('--model-version <n>', 'model version written into model.bin', int('--model-version'), 1)
      .option('--partitions <csv>', PARTITIONS_HELP),
  ).action(async (o: ForestCliOptions & { out: string; data?: string[]; windows: number; features: string; quantize: 'float32' | 'int16'; modelVersion: number; partitions?: string; samplingRate?: number[]; mainsFrequency?: 50 | 60 | 'both'; nominalVoltage?: number; snr?: [number, number]; normalRatio?: number; maxFalseAlarm?: number; registerMap?: string; strict?: boolean }) => {
    const { runTrain } = await import('../../pipeline/train/index.ts');
    const { formatMetrics } = await import('../../pipeline/evaluate/index.ts');
    const { conditionTable } = await import('../../pipeline/evaluate/by-condition.ts');
    const log = (l: string): void => void process.stderr.write(l + '\n');
    const r = await wrap(() => runTrain({ ...o, features: o.features as 'waveform' | 'meter', outDir: o.out, mainsHz: o.mainsFrequency, nominalV: o.nominalVoltage, snrDb: o.snr, partitionsCsv: partitions(o.partitions), log }));
    process.stdout.write(`test windows (held out by window):\n${formatMetrics(r.fit.test)}`);
    if (r.fit.testByCondition?.length) process.stdout.write(`per condition:\n${conditionTable(r.fit.testByCondition).join('\n')}\n`);
    process.stdout.write(`wrote ${r.files.join(', ')}\ndone in ${r.seconds.toFixed(1)} s\n`);
  });

  forestOptions(
    dataOptions(
      program
        .command('fit')
        .description('train a random forest on a waveform or processed CSV; writes model.json and report.md/html')
        .requiredOption('--data <csv>', 'waveform CSV (with Voltage_L1) or processed feature CSV')
        .option('--out <dir>', 'output directory', 'out/fit'),
    ),
  ).action(async (o: ForestCliOptions & { data: string; out: string; samplingRate?: number; mainsFrequency?: 50 | 60; nominalVoltage?: number; strict?: boolean }) => {
    const { mkdir } = await import('node:fs/promises');
    const { loadCsvDataset, describeSkips } = await import('../../pipeline/fit/data.ts');
    const { fitDataset } = await import('../../pipeline/fit/index.ts');
    const { saveModelJson } = await import('../../forest/io.ts');
    const { writeReports } = await import('../../pipeline/report/index.ts');
    const { formatMetrics } = await import('../../pipeline/evaluate/index.ts');
    const { progressBar } = await import('../../progress.ts');
    await wrap(async () => {
      const d = await loadCsvDataset(o.data, { samplingRate: o.samplingRate, mainsHz: o.mainsFrequency, nominalV: o.nominalVoltage, strict: o.strict });
      const skip = describeSkips(o.data, d.skipped);
      if (skip) process.stderr.write(skip + '\n');
      const bar = progressBar('fit', o.trees);
      const fit = await fitDataset(d.dataset, { ...o, onProgress: (n) => bar.update(n) }).finally(() => bar.stop());
      await mkdir(o.out, { recursive: true });
      await saveModelJson(join(o.out, 'model.json'), fit.model);
      await writeReports(o.out, { title: 'jerrywatt model', data: o.data, rows: d.dataset.nRows, trainRows: fit.split.train.length, testRows: fit.split.test.length, trainSeconds: fit.trainSeconds, model: fit.model, test: fit.test, notes: d.notes });
      process.stdout.write(`fit ${fit.model.trees.length} trees in ${fit.trainSeconds.toFixed(2)} s; held-out windows:\n${formatMetrics(fit.test)}wrote ${join(o.out, 'model.json')}, report.md, report.html\n`);
    });
  });

  program
    .command('export')
    .description('model.json -> model.bin (device), model.h (C) and model.device.json; refuses a model larger than the model slot')
    .requiredOption('--model <json>', 'model.json written by fit or train')
    .option('--out <dir>', 'output directory', 'out/export')
    .addOption(new Option('--quantize <kind>', 'thresholds as float32, or int16 with per-feature scales').choices(['float32', 'int16']).default('float32'))
    .option('--model-version <n>', 'model version written into the header', int('--model-version'), 1)
    .option('--partitions <csv>', PARTITIONS_HELP)
    .option('--slot <name>', 'partition whose size bounds the model', 'model_a')
    .action(async (o: { model: string; out: string; quantize: 'float32' | 'int16'; modelVersion: number; partitions?: string; slot: string }) => {
      const { loadModelJson } = await import('../../forest/io.ts');
      const { exportModel } = await import('../../model/export.ts');
      await wrap(async () => {
        const m = await loadModelJson(o.model);
        const r = await exportModel(m, { outDir: o.out, partitionsCsv: partitions(o.partitions), slotName: o.slot, quantize: o.quantize, modelVersion: o.modelVersion });
        process.stdout.write(
          `model.bin: ${r.bytes} bytes (${((100 * r.bytes) / r.slotBytes).toFixed(1)} % of ${r.slotName}, ${r.slotBytes} B), ${r.internalNodes} nodes, ${r.uniqueLeaves} unique leaves, ` +
            `${r.bytesPerNode.toFixed(2)} bytes per tree node, ${r.quantize} thresholds, SHA-256 ${r.bin.digest}\nwrote ${Object.values(r.files).join(', ')}\n`,
        );
      });
    });

  dataOptions(
    program
      .command('evaluate')
      .description('score a model.json or model.bin on a waveform or processed CSV; refuses data outside the conditions the model was trained for')
      .requiredOption('--model <path>', 'model.json (host) or model.bin (device format)')
      .requiredOption('--data <csv>', 'waveform CSV (with Voltage_L1) or processed feature CSV')
      .option('--force', "score data outside the model's training conditions (rate, mains frequency, SNR, feature version) anyway, with a warning")
      .option('--json', 'print one JSON object (accuracy, precision, recall, f1, macroF1, aucRoc, falseAlarmRate, confusion, byCondition, dropped, ...)'),
  ).action(async (o: { model: string; data: string; json?: boolean; force?: boolean; samplingRate?: number; mainsFrequency?: 50 | 60; nominalVoltage?: number; strict?: boolean }) => {
    const { loadPredictor } = await import('../../pipeline/evaluate/predictor.ts');
    const { evaluateDataset, formatMetrics } = await import('../../pipeline/evaluate/index.ts');
    const { conditionTable } = await import('../../pipeline/evaluate/by-condition.ts');
    const { guardConditions } = await import('../../pipeline/evaluate/guard.ts');
    const { WAVEFORM_FEATURE_SET } = await import('../../pipeline/process/features.ts');
    const { loadCsvDataset, describeSkips } = await import('../../pipeline/fit/data.ts');
    await wrap(async () => {
      const p = await loadPredictor(o.model);
      const d = await loadCsvDataset(o.data, { samplingRate: o.samplingRate, mainsHz: o.mainsFrequency, nominalV: o.nominalVoltage, strict: o.strict });
      const skip = describeSkips(o.data, d.skipped);
      if (skip) process.stderr.write(skip + '\n');
      for (const w of guardConditions(p.conditions, d.dataset, d.kind === 'waveform' ? WAVEFORM_FEATURE_SET : undefined, o.force ?? false)) process.stderr.write(`warning: ${w}\n`);
      const e = evaluateDataset(p, d.dataset);
      if (e.dropped.count) process.stderr.write(`left out of the scores: ${e.dropped.count} row(s): ${Object.entries(e.dropped.byReason).map(([k, n]) => `${n} x ${k}`).join('; ')}\n`);
      if (o.json) process.stdout.write(JSON.stringify({ ...e, skippedRows: d.skipped.count, dataKind: d.kind }) + '\n');
      else {
        process.stdout.write(`${o.model} on ${o.data} (${d.kind}):\n${formatMetrics(e)}`);
        if (e.dropped.count) process.stdout.write(`dropped ${e.dropped.count} row(s) from the scores: ${Object.entries(e.dropped.byReason).map(([k, n]) => `${n} x ${k}`).join('; ')}\n`);
        if (e.byCondition?.length) process.stdout.write(`per condition:\n${conditionTable(e.byCondition).join('\n')}\n`);
      }
    });
  });
}
