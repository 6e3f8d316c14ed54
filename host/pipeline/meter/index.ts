/**
 * The meter data set (`jerrywatt train --features meter`, `jerrywatt retrain`): rows are complete meter samples
 * with the device's meter features (device/meter/features.ts), from synthetic telemetry (the meter-gateway
 * flow's sampler, labelled by its ground truth) or from collected CSVs (labelled by the EN 50160 limits:
 * voltage outside Un +-10 % is a sag or swell, frequency outside 49.5-50.5 Hz a frequency excursion).
 */
import type { Dataset } from '../dataset.ts';
import { resolveLimits, type LimitOptions } from '../process/limits.ts';
import { defaultNominalVoltage } from '../process/features.ts';
import { DEFAULT_REGISTER_MAP, parseRegisterMap, Q_FREQUENCY, Q_VOLTAGE, type RegisterMap } from '../../../device/meter/registers.ts';
import { METER_FEATURES, missingFeatures } from '../../../device/meter/features.ts';
import { MeterDatasetBuilder, METER_CLASSES, type Labeler, type SkipSummary } from './assemble.ts';
import { addSynthetic } from './synthetic.ts';
import { addCollectedCsv, anyTsColumn, collectedFiles } from './csv.ts';

export { METER_CLASSES, METER_FEATURES };
export type { SkipSummary };

export interface MeterDatasetOptions {
  /** Collected CSV files or directories (mqtt_all_messages_*.csv). Without: synthetic telemetry. */
  csv?: string[];
  /** The device's `meterRegs` setting format; default the device default. */
  registerMap?: string;
  /** Features to keep (default: every meter feature the register map allows). */
  features?: string[];
  /** Limits that label collected data (EN 50160 defaults). */
  limits?: Partial<LimitOptions>;
  /** Synthetic: samples per meter (default 3000), meters (default 3), seed (default 1). */
  samples?: number;
  meters?: number;
  seed?: number;
  /** Consecutive samples of one meter that form one split group (default 50). */
  groupSamples?: number;
  /** The meters' nominal voltage and mains frequency (the device settings meterNominalV, meterMainsHz; 230 V, 50 Hz). */
  nominalV?: number;
  mainsHz?: 50 | 60;
}

export interface MeterDatasetResult {
  dataset: Dataset;
  skipped: SkipSummary;
  /** Incomplete samples (a register missing), never used, as on the device. */
  partial: number;
  duplicates: number;
  meters: string[];
  registerMap: RegisterMap;
  nominalV: number;
  mainsHz: 50 | 60;
  notes: string[];
}

/** Labels by the limits (EN 50160 around the meter's nominal values). */
export function limitLabeler(limits: Partial<LimitOptions> = {}): Labeler {
  const lim = resolveLimits(limits);
  const lo = lim.nominalV * (1 - lim.voltageTolerance);
  const hi = lim.nominalV * (1 + lim.voltageTolerance);
  return (_meter, _ts, q) => {
    const v = q[Q_VOLTAGE]!;
    const f = q[Q_FREQUENCY]!;
    if (v < lo) return 1;
    if (v > hi) return 2;
    if (f < lim.frequencyBand[0] || f > lim.frequencyBand[1]) return 3;
    return 0;
  };
}

/** The prototype's registers, unscaled (its mqtt_all_messages_*.csv hold volts, amps, watts and hertz as sent). */
export const PROTOTYPE_REGISTER_MAP = '1006:current,1007:activePower,1009:voltage,1010:frequency';

export async function loadMeterDataset(opts: MeterDatasetOptions = {}): Promise<MeterDatasetResult> {
  const notes: string[] = [];
  let mapText = opts.registerMap ?? DEFAULT_REGISTER_MAP;
  const files = opts.csv?.length ? await collectedFiles(opts.csv) : [];
  if (opts.registerMap === undefined && files.length && !(await anyTsColumn(files))) {
    // No ts column: the prototype's layout, whose raw values are unscaled; collect's files (ts, meter) carry the
    // gateway's scaled registers of the device default map.
    mapText = PROTOTYPE_REGISTER_MAP;
    notes.push(`no ts column (the prototype's layout): register map ${PROTOTYPE_REGISTER_MAP} (unscaled; give --register-map for another)`);
  }
  const map = parseRegisterMap(mapText);
  if (typeof map === 'string') throw new Error(map);
  const features = opts.features ?? METER_FEATURES.filter((f) => missingFeatures([f], map.mask).length === 0);
  const bad = missingFeatures(features, map.mask);
  if (bad.length) throw new Error(`cannot compute these meter features: ${bad.join(', ')}`);
  const mainsHz = opts.mainsHz ?? 50;
  const nominalV = opts.nominalV ?? (opts.csv?.length ? defaultNominalVoltage(mainsHz) : 230);
  if (!(nominalV > 0)) throw new Error(`nominal voltage must be positive, not ${nominalV}`);
  const nominal = { nominalV, mainsHz };
  if (opts.csv?.length) {
    const b = new MeterDatasetBuilder(map, limitLabeler({ nominalV, mainsHz, ...opts.limits }), features, opts.groupSamples, nominal);
    const n = await addCollectedCsv(b, files);
    notes.push(`${n} readings from ${files.length} file(s), labelled by the limits (${METER_CLASSES.join(', ')}) around ${nominalV} V, ${mainsHz} Hz`);
    if (b.outsideMap) notes.push(`${b.outsideMap} readings of registers outside the map (${b.outsideRegisters().join(', ')}) counted and left out`);
    return { dataset: b.dataset(), skipped: b.skipped, partial: b.partial, duplicates: b.duplicates, meters: b.meterIds, registerMap: map, ...nominal, notes };
  }
  if (mainsHz !== 50 || nominalV !== 230) throw new Error('synthetic meter telemetry is 230 V, 50 Hz (the meter-gateway flow\'s): give --data for other meters');
  const truth = new Map<string, number>();
  const b = new MeterDatasetBuilder(map, (meter, ts) => truth.get(`${meter}|${ts}`) ?? -1, features, opts.groupSamples, nominal);
  const samples = opts.samples ?? 3000;
  const meters = opts.meters ?? 3;
  if (!(samples >= 1 && meters >= 1)) throw new Error('synthetic meter data needs samples >= 1 and meters >= 1');
  addSynthetic(b, { samples, meters, seed: opts.seed ?? 1 }, truth);
  notes.push(`synthetic: ${meters} meter(s) x ${samples} samples from the meter-gateway flow's sampler, seed ${opts.seed ?? 1}`);
  return { dataset: b.dataset(), skipped: b.skipped, partial: b.partial, duplicates: b.duplicates, meters: b.meterIds, registerMap: map, ...nominal, notes };
}
