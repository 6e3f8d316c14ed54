/**
 * The synth CSV: the old prototype's columns (Time, Voltage_L1 as a JSON array, Current_L1,
 * Active_Power_L1, THD_Voltage_L1, Frequency, target) plus `class` and each window's conditions
 * (Sampling_Rate, Mains_Frequency, Nominal_Voltage, SNR_dB: a file may mix conditions), and a sidecar
 * `<csv>.json` with the generator's settings.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { resolveSettings, synthesizeWindows, type SynthOptions, type SynthWindow } from './generate.ts';
import { THD_DEFINITION, thdOrders } from '../process/features.ts';

export const SYNTH_COLUMNS = ['Time', 'Voltage_L1', 'Current_L1', 'Active_Power_L1', 'THD_Voltage_L1', 'Frequency', 'target', 'class', 'Sampling_Rate', 'Mains_Frequency', 'Nominal_Voltage', 'SNR_dB'] as const;

/** The sidecar's shape; `process` reads samplingRate, mainsHz and samplesPerWindow from it. */
export interface SynthSidecar {
  format: 'jerrywatt-synth';
  version: 2;
  /** Single-condition files: the rate, mains frequency and window length (also in every row). */
  samplingRate?: number;
  mainsHz?: 50 | 60;
  samplesPerWindow?: number;
  nominalV?: number;
  samplingRates: number[];
  mainsFrequencies: (50 | 60)[];
  nominalVoltages: { 50?: number; 60?: number };
  seed: number;
  windows: number;
  snrDb: [number, number];
  normalRatio: number;
  classes: string[];
  /** Classes not generated in some condition, and why (never labelled where they cannot be seen). */
  unobservable: string[];
  classCounts: Record<string, number>;
  thdColumn: string;
  harmonicOrders: number;
  voltageDecimals: number;
  notes: string[];
}

const DECIMALS = 2;

export function sidecarPathFor(csvPath: string): string {
  return `${csvPath}.json`;
}

/** Voltage samples as a compact JSON array, 0.01 V resolution (quantisation far below the noise floor). */
export function formatWaveform(v: Float32Array): string {
  const parts = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) parts[i] = String(Math.round(v[i] * 100) / 100);
  return `[${parts.join(',')}]`;
}

function toRecord(w: SynthWindow): string[] {
  return [
    w.time,
    formatWaveform(w.voltage),
    w.current.toFixed(3),
    w.activePower.toFixed(1),
    w.thd.toFixed(5),
    w.frequency.toFixed(2),
    String(w.target),
    w.cls,
    String(w.samplingRate),
    String(w.mainsHz),
    String(w.nominalV),
    w.snrDb.toFixed(2),
  ];
}

export async function writeSynthCsv(
  path: string,
  opts: SynthOptions,
  onProgress?: (done: number) => void,
): Promise<{ rows: number; sidecarPath: string; notes: string[] }> {
  const settings = resolveSettings(opts);
  const notes = new Set<string>();
  const counts: Record<string, number> = {};
  let rows = 0;
  function* records(): Generator<string[]> {
    yield [...SYNTH_COLUMNS];
    for (const w of synthesizeWindows(opts, notes)) {
      counts[w.cls] = (counts[w.cls] ?? 0) + 1;
      yield toRecord(w);
      rows++;
      if (onProgress && (rows % 64 === 0 || rows === settings.windows)) onProgress(rows);
    }
  }
  await pipeline(Readable.from(records(), { objectMode: true }), stringify(), createWriteStream(path));

  let orders = 40;
  for (const c of settings.conditions) {
    const o = thdOrders(c.samplingRate, c.mainsHz);
    orders = Math.min(orders, o);
    if (o < 40) notes.add(`THD uses harmonics 2..${o} only at ${c.samplingRate} Hz / ${c.mainsHz} Hz: harmonic ${o + 1} would be at or above Nyquist`);
  }
  const single = settings.conditions.length === 1 ? settings.conditions[0]! : undefined;
  const sidecar: SynthSidecar = {
    format: 'jerrywatt-synth',
    version: 2,
    ...(single ? { samplingRate: single.samplingRate, mainsHz: single.mainsHz, samplesPerWindow: single.samplesPerWindow, nominalV: single.nominalV } : {}),
    samplingRates: settings.samplingRates,
    mainsFrequencies: settings.mainsHz,
    nominalVoltages: settings.nominalV,
    seed: settings.seed,
    windows: settings.windows,
    snrDb: settings.snrDb,
    normalRatio: settings.normalRatio,
    classes: settings.classes,
    unobservable: settings.unobservable,
    classCounts: counts,
    thdColumn: `THD_Voltage_L1 is a ratio (0.05 = 5 %): ${THD_DEFINITION}, harmonics 2..40 or fewer below Nyquist`,
    harmonicOrders: orders,
    voltageDecimals: DECIMALS,
    notes: [...notes],
  };
  const sidecarPath = sidecarPathFor(path);
  await writeFile(sidecarPath, JSON.stringify(sidecar, null, 2) + '\n');
  return { rows, sidecarPath, notes: sidecar.notes };
}
