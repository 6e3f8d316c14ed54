import type { Command } from 'commander';
import { CliError } from '../errors.ts';

/** Turns a library error into a user error (malformed rows, bad flags, unreadable files). */
async function asCliError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof Error) throw new CliError(err.message, 1);
    throw err;
  }
}

const collect = (v: string, acc: string[]): string[] => [...acc, v];

/** `synth` and `process`: the data end of the training pipeline. */
export default function register(program: Command): void {
  program
    .command('synth')
    .description('generate synthetic power-quality telemetry: voltage windows (IEEE 1159 classes) with current, power, THD, frequency')
    .option('-o, --out <file>', 'output CSV (a sidecar <file>.json is written next to it)', 'out/synth.csv')
    .option('-n, --windows <n>', 'number of windows', '5000')
    .option('--seed <n>', 'random seed (same seed, same file)', '1')
    .option('--mains-frequency <hz>', '50 (10-cycle windows), 60 (12-cycle windows) or both (each window draws one)', '50')
    .option('--sampling-rate <hz>', 'samples per second, 1000 and up, or a comma-separated list each window draws from; classes a rate cannot show (frequency >= 0.4 x rate, or < 3 samples) are left out and listed', '6400')
    .option('--snr <lo-hi>', 'white-noise SNR range in dB, drawn per window', '20-50')
    .option('--normal-ratio <r>', 'share of normal windows (default 0.5)')
    .option('--anomaly-ratio <r>', 'share of non-normal windows (the older spelling of 1 - normal ratio)')
    .option('--classes <list>', 'comma-separated classes, e.g. normal,sag,sag+harmonics (default: all single classes)')
    .option('--combinations', 'also generate combined disturbances (sag+harmonics, ...)')
    .option('--nominal-voltage <v>', 'nominal RMS voltage (default 230 V at 50 Hz, 120 V at 60 Hz)')
    .action(async (flags) => {
      const { runSynth } = await import('../../pipeline/synth/run.ts');
      process.stdout.write(await asCliError(() => runSynth(flags)));
    });

  program
    .command('process')
    .description('turn raw data into features: waveform CSVs into per-window PQ features, Modbus CSVs into aligned rows; EN 50160 flags')
    .argument('<inputs...>', 'input CSV(s): waveform (Voltage_L1) or Modbus (Start register, Raw data [, ts, meter])')
    .option('-o, --out <file>', 'output CSV', 'out/processed.csv')
    .option('--kind <kind>', 'auto, waveform or modbus', 'auto')
    .option('--sampling-rate <hz>', 'waveform sampling rate (default: from the sidecar <csv>.json)')
    .option('--mains-frequency <hz>', '50 or 60 (default: from the sidecar, else 50)')
    .option('--nominal-voltage <v>', 'nominal voltage for the flags (default: sidecar, else 230 V at 50 Hz / 120 V at 60 Hz)')
    .option('--voltage-tolerance <pct>', 'voltage flag band, +- % of nominal (EN 50160)', '10')
    .option('--frequency-band <lo,hi>', 'frequency flag band in Hz (default +-1 % of mains: 49.5,50.5)')
    .option('--thd-max <pct>', 'THD_F flag limit in % (EN 50160)', '8')
    .option('--current-max <a>', 'current flag above this (A)', '100')
    .option('--current-min <a>', 'current flag below this (A)', '0')
    .option('--register-map <map>', 'register map, register:quantity:scale[:offset],... (the device\'s meterRegs syntax, as train and retrain take it; default: the prototype\'s unscaled 1006 current, 1007 activePower, 1009 voltage, 1010 frequency)')
    .option('--register <reg=quantity[:scale[:offset]]>', 'override one register (repeatable), e.g. 1009=voltage:0.1', collect, [])
    .option('--model <path>', 'waveform data: refuse it when it is outside the conditions this model.json/model.bin was trained for')
    .option('--force', 'with --model: go on (with a warning) when the data is outside the model\'s conditions')
    .option('--align-tolerance-ms <ms>', 'with ts columns: max time between readings of one row', '2000')
    .option('--strict', 'fail on the first malformed row (with file and row) instead of skipping it')
    .action(async (inputs: string[], flags) => {
      const { runProcess } = await import('../../pipeline/process/run.ts');
      process.stdout.write(await asCliError(() => runProcess(inputs, flags)));
    });
}
