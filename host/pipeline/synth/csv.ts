/**
 * The synth CSV: the old prototype's columns (Time, Voltage_L1 as a JSON array, Current_L1,
 * Active_Power_L1, THD_Voltage_L1, Frequency, target) plus `class`, and a sidecar `<csv>.json` with the
 * generator's settings so `process` needs no flags to read it back.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { resolveSettings, synthesizeWindows, type SynthOptions, type SynthWindow } from './generate.ts';
import { THD_DEFINITION, thdOrders } from '../process/features.ts';

export const SYNTH_COLUMNS = ['Time', 'Voltage_L1', 'Current_L1', 'Active_Power_L1', 'THD_Voltage_L1', 'Frequency', 'target', 'class'] as const;

/** The sidecar's shape; `process` reads samplingRate, mainsHz and samplesPerWindow from it. */
export interface SynthSidecar {
  format: 'jerrywatt-synth';
  version: 1;
  samplingRate: number;
  mainsHz: 50 | 60;
  seed: number;
  windows: number;
  cycles: number;
  samplesPerWindow: number;
  nominalV: number;
  snrDb: [number, number];
  anomalyRatio: number | null;
  classes: string[];
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

  const orders = thdOrders(settings.samplingRate, settings.mainsHz);
  if (orders < 40) {
    notes.add(`THD uses harmonics 2..${orders} only: harmonic ${orders + 1} would be at or above Nyquist at ${settings.samplingRate} Hz`);
  }
  const sidecar: SynthSidecar = {
    format: 'jerrywatt-synth',
    version: 1,
    samplingRate: settings.samplingRate,
    mainsHz: settings.mainsHz,
    seed: settings.seed,
    windows: settings.windows,
    cycles: settings.cycles,
    samplesPerWindow: settings.samplesPerWindow,
    nominalV: settings.nominalV,
    snrDb: settings.snrDb,
    anomalyRatio: settings.anomalyRatio,
    classes: settings.classes,
    classCounts: counts,
    thdColumn: `THD_Voltage_L1 is a ratio (0.05 = 5 %): ${THD_DEFINITION}, harmonics 2..${orders}`,
    harmonicOrders: orders,
    voltageDecimals: DECIMALS,
    notes: [...notes],
  };
  const sidecarPath = sidecarPathFor(path);
  await writeFile(sidecarPath, JSON.stringify(sidecar, null, 2) + '\n');
  return { rows, sidecarPath, notes: sidecar.notes };
}
