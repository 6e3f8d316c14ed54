/** `jerrywatt synth` action: parse flags, write the CSV and sidecar, say what was done. */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeSynthCsv } from './csv.ts';
import type { SynthOptions } from './generate.ts';
import { progressBar } from '../../progress.ts';
import { THD_DEFINITION } from '../process/features.ts';

export interface SynthFlags {
  out: string;
  windows: string;
  seed: string;
  mainsFrequency: string;
  samplingRate: string;
  snr: string;
  anomalyRatio?: string;
  normalRatio?: string;
  classes?: string;
  combinations?: boolean;
  nominalVoltage?: string;
}

export function parsePair(text: string, what: string): [number, number] {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || parts.some((v) => !Number.isFinite(v))) throw new Error(`${what} must be two numbers "low,high", not "${text}"`);
  return [parts[0], parts[1]];
}

export function parseNum(text: string, what: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new Error(`${what} must be a number, not "${text}"`);
  return v;
}

/** "20-50" (or the older "20,50"): an SNR range in dB. */
export function parseRange(text: string, what: string): [number, number] {
  const parts = text.includes(',') ? text.split(',') : text.split(/(?<=\d)-/);
  const v = parts.map((p) => Number(p.trim()));
  if (v.length !== 2 || v.some((x) => !Number.isFinite(x)) || !(v[0]! <= v[1]!)) throw new Error(`${what} must be LO-HI, e.g. 20-50, not "${text}"`);
  return [v[0]!, v[1]!];
}

export async function runSynth(flags: SynthFlags): Promise<string> {
  const mains = flags.mainsFrequency === 'both' ? 'both' : parseNum(flags.mainsFrequency, '--mains-frequency');
  if (mains !== 50 && mains !== 60 && mains !== 'both') throw new Error(`--mains-frequency must be 50, 60 or both, not ${mains}`);
  const rates = flags.samplingRate.split(',').map((r) => parseNum(r, '--sampling-rate'));
  const opts: SynthOptions = {
    windows: parseNum(flags.windows, '--windows'),
    seed: parseNum(flags.seed, '--seed'),
    mainsHz: mains,
    samplingRate: rates.length === 1 ? rates[0] : rates,
    snrDb: parseRange(flags.snr, '--snr'),
    normalRatio: flags.normalRatio === undefined ? undefined : parseNum(flags.normalRatio, '--normal-ratio'),
    anomalyRatio: flags.anomalyRatio === undefined ? undefined : parseNum(flags.anomalyRatio, '--anomaly-ratio'),
    classes: flags.classes ? flags.classes.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    combinations: flags.combinations ?? false,
    nominalV: flags.nominalVoltage === undefined ? undefined : parseNum(flags.nominalVoltage, '--nominal-voltage'),
  };
  await mkdir(dirname(flags.out), { recursive: true });
  const bar = progressBar('synth', opts.windows);
  let result;
  try {
    result = await writeSynthCsv(flags.out, opts, (d) => bar.update(d));
  } finally {
    bar.stop();
  }
  const lines = [
    `wrote ${result.rows} windows to ${flags.out} (sidecar ${result.sidecarPath})`,
    `${rates.join('/')} Hz, ${mains === 'both' ? '50 and 60' : mains} Hz mains (10-cycle windows at 50 Hz, 12 at 60 Hz), seed ${opts.seed}, SNR ${opts.snrDb!.join('-')} dB`,
    `THD_Voltage_L1 is ${THD_DEFINITION} (a ratio)`,
    ...result.notes.map((n) => `note: ${n}`),
  ];
  return lines.join('\n') + '\n';
}
