/** `jerrywatt process` action: detect the input kind, extract or align, write the table, report. */
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeLimits, resolveLimits, type LimitOptions } from './limits.ts';
import { loadWaveformDataset } from './waveform.ts';
import { WAVEFORM_FEATURE_SET } from './features.ts';
import { loadPredictor } from '../evaluate/predictor.ts';
import { guardConditions } from '../evaluate/guard.ts';
import { writeFeaturesCsv } from './features-csv.ts';
import { DEFAULT_REGISTER_MAP, parseRegisterMapText, processModbusCsv, validateRegisterMap, type RegisterMap } from './modbus.ts';
import { writeProcessedCsv } from './processed.ts';
import { progressBar } from '../../progress.ts';
import type { SkipReport } from './rows.ts';
import { parseNum, parsePair } from '../synth/run.ts';

export interface ProcessFlags {
  out: string;
  kind: string;
  samplingRate?: string;
  mainsFrequency?: string;
  nominalVoltage?: string;
  voltageTolerance: string;
  frequencyBand?: string;
  thdMax: string;
  currentMax: string;
  currentMin: string;
  registerMap?: string;
  register: string[];
  alignToleranceMs: string;
  strict?: boolean;
  /** Refuse waveform data outside this model's training conditions (unless force). */
  model?: string;
  force?: boolean;
}

/** The first line of a file, to tell a waveform CSV from a Modbus one without parsing it all. */
async function headerOf(path: string): Promise<string> {
  const fh = await open(path, 'r').catch(() => {
    throw new Error(`${path}: cannot read the file`);
  });
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0];
  } finally {
    await fh.close();
  }
}

export async function detectKind(path: string): Promise<'waveform' | 'modbus'> {
  const h = (await headerOf(path)).toLowerCase();
  if (h.includes('voltage_l1')) return 'waveform';
  if (h.includes('start register')) return 'modbus';
  throw new Error(`${path}: neither a waveform CSV (Voltage_L1) nor a Modbus CSV (Start register, Raw data); use --kind`);
}

/**
 * --register-map in the device's meterRegs syntax ("1009:voltage:0.1,..."; the default is the prototype's
 * unscaled map), then --register overrides (1009=voltage:0.1 or 1009:voltage:0.1), each replacing whatever
 * register held that quantity.
 */
export async function buildRegisterMap(text: string | undefined, entries: string[]): Promise<RegisterMap> {
  if (text !== undefined && text.trim().endsWith('.json')) {
    throw new Error(`--register-map takes the device's syntax, register:quantity:scale[:offset],... (e.g. 1009:voltage:0.1,1006:current:0.001,1007:activePower,1010:frequency:0.01), not a JSON file`);
  }
  let map: RegisterMap = text !== undefined ? parseRegisterMapText(text) : { ...DEFAULT_REGISTER_MAP };
  for (const e of entries) {
    const one = parseRegisterMapText(e.trim().replace('=', ':'));
    for (const [reg, spec] of Object.entries(one)) {
      map = Object.fromEntries(Object.entries(map).filter(([r, s]) => s.quantity !== spec.quantity && r !== reg));
      map[reg] = spec;
    }
  }
  return validateRegisterMap(map);
}

function skipLines(s: SkipReport): string[] {
  if (s.count === 0) return ['malformed rows: none'];
  return [
    `malformed rows skipped: ${s.count} (first: ${s.first.map((f) => `row ${f.row}: ${f.reason}`).join('; ')})`,
  ];
}

export async function runProcess(inputs: string[], flags: ProcessFlags): Promise<string> {
  if (inputs.length === 0) throw new Error('give at least one input CSV');
  const kinds = flags.kind === 'auto' ? await Promise.all(inputs.map(detectKind)) : inputs.map(() => flags.kind);
  const kind = kinds[0];
  if (kind !== 'waveform' && kind !== 'modbus') throw new Error(`--kind must be auto, waveform or modbus, not ${flags.kind}`);
  if (kinds.some((k) => k !== kind)) throw new Error('inputs mix waveform and Modbus CSVs: process them separately');
  await mkdir(dirname(flags.out), { recursive: true });
  const mainsHz = flags.mainsFrequency === undefined ? undefined : parseNum(flags.mainsFrequency, '--mains-frequency');
  const limitFlags = (mains: number, nominal?: number): Partial<LimitOptions> => ({
    mainsHz: mains,
    nominalV: flags.nominalVoltage !== undefined ? parseNum(flags.nominalVoltage, '--nominal-voltage') : nominal,
    voltageTolerance: parseNum(flags.voltageTolerance, '--voltage-tolerance') / 100,
    frequencyBand: flags.frequencyBand ? parsePair(flags.frequencyBand, '--frequency-band') : undefined,
    thdMaxPct: parseNum(flags.thdMax, '--thd-max'),
    currentMax: parseNum(flags.currentMax, '--current-max'),
    currentMin: parseNum(flags.currentMin, '--current-min'),
  });

  if (kind === 'waveform') {
    if (inputs.length > 1) throw new Error('process one waveform CSV at a time');
    const bar = progressBar('process', undefined);
    let res;
    try {
      res = await loadWaveformDataset(inputs[0], {
        samplingRate: flags.samplingRate === undefined ? undefined : parseNum(flags.samplingRate, '--sampling-rate'),
        mainsHz,
        nominalV: flags.nominalVoltage === undefined ? undefined : parseNum(flags.nominalVoltage, '--nominal-voltage'),
        strict: flags.strict,
        onProgress: (n) => bar.update(n),
      });
    } finally {
      bar.stop();
    }
    const { dataset, skipped, info, times } = res;
    const warnings: string[] = [];
    if (flags.model) {
      const p = await loadPredictor(flags.model);
      warnings.push(...guardConditions(p.conditions, dataset, WAVEFORM_FEATURE_SET, flags.force ?? false));
    }
    const limitsFor = (m: number, nominal: number): LimitOptions => resolveLimits(limitFlags(m, nominal));
    await writeFeaturesCsv(flags.out, dataset, times, limitsFor);
    const limits = limitsFor(info.mainsFrequencies[0]!, info.nominalVoltages[0]!);
    return [
      `wrote ${dataset.nRows} windows x ${dataset.nFeatures} features to ${flags.out}`,
      `${info.samplingRates.join('/')} Hz, ${info.mainsFrequencies.join('/')} Hz mains, nominal ${info.nominalVoltages.join('/')} V; features per unit (${WAVEFORM_FEATURE_SET})`,
      `THD: ${info.thdDefinition}; harmonics 2..${info.harmonicOrders}`,
      describeLimits(limits) + ' (Voltage_Issue: any Urms(1/2) outside the band)',
      ...skipLines(skipped),
      ...info.notes.map((n) => `note: ${n}`),
      ...warnings.map((w) => `warning: ${w}`),
    ].join('\n') + '\n';
  }
  if (flags.model) throw new Error('--model checks waveform data against a model\'s conditions; Modbus rows have no sampling conditions to check');

  const registerMap = await buildRegisterMap(flags.registerMap, flags.register);
  const limitsPartial = limitFlags(mainsHz ?? 50);
  const bar = progressBar('process', undefined);
  let res;
  try {
    res = await processModbusCsv(inputs, {
      registerMap,
      limits: limitsPartial,
      strict: flags.strict,
      alignToleranceMs: parseNum(flags.alignToleranceMs, '--align-tolerance-ms'),
      onProgress: (n) => bar.update(n),
    });
  } finally {
    bar.stop();
  }
  if (res.rows.length === 0) throw new Error(`no complete rows (${res.skipped.count} malformed rows skipped): nothing written`);
  await writeProcessedCsv(flags.out, res.rows);
  const flagged = (k: 'voltageIssue' | 'currentIssue' | 'frequencyIssue'): number => res.rows.filter((r) => r[k]).length;
  return [
    `wrote ${res.rows.length} rows to ${flags.out}`,
    `registers: ${Object.entries(registerMap).map(([r, s]) => `${r} ${s.quantity}${s.scale && s.scale !== 1 ? ` x${s.scale}` : ''}`).join(', ')}`,
    describeLimits(resolveLimits(limitsPartial)),
    `flagged: voltage ${flagged('voltageIssue')}, current ${flagged('currentIssue')}, frequency ${flagged('frequencyIssue')}`,
    ...skipLines(res.skipped),
    ...res.notes.map((n) => `note: ${n}`),
  ].join('\n') + '\n';
}
