/**
 * The prototype's raw Modbus telemetry: rows of `Start register`, `Raw data` (and, from `jerrywatt collect`,
 * `ts` and `meter`). Readings are decoded through a configurable register map, aligned into rows (per meter
 * by time when `ts` is there; otherwise by the device's rule: readings in file order, a register seen again
 * starts the next sample, so one bad reading costs one sample instead of shifting every later row), and
 * flagged against the limits. Registers outside the map are counted and reported, never an error.
 */
import type { LimitOptions } from './limits.ts';
import { currentIssue, frequencyIssue, resolveLimits, voltageIssue } from './limits.ts';
import { SkipCollector, openCsv, parseNumber, readingColumns, type SkipReport } from './rows.ts';
import { parseTimestampMs } from '../timestamp.ts';
import { SampleAssembler, A_COMPLETE } from '../../../device/meter/assembler.ts';
import { QUANTITIES as DEVICE_QUANTITIES, parseRegisterMap as parseDeviceMap, type RegisterMap as DeviceMap } from '../../../device/meter/registers.ts';

export type Quantity = 'current' | 'activePower' | 'voltage' | 'frequency';
export const QUANTITIES: readonly Quantity[] = ['current', 'activePower', 'voltage', 'frequency'];

export interface RegisterSpec {
  quantity: Quantity;
  /** value = raw * scale + offset (ENTES: 0.1 V, 0.001 A x CT ratio, 0.01 Hz). Default 1 and 0. */
  scale?: number;
  offset?: number;
  /** When Raw data is a JSON array of 16-bit words: how two words make one 32-bit value. */
  wordOrder?: 'big' | 'little';
  signed?: boolean;
}

/** Register number -> what it holds. */
export type RegisterMap = Record<string, RegisterSpec>;

/** The prototype's map: 1006 current, 1007 active power, 1009 voltage, 1010 frequency, unscaled. */
export const DEFAULT_REGISTER_MAP: RegisterMap = Object.freeze({
  '1006': { quantity: 'current' },
  '1007': { quantity: 'activePower' },
  '1009': { quantity: 'voltage' },
  '1010': { quantity: 'frequency' },
}) as RegisterMap;

export interface ModbusOptions {
  registerMap?: RegisterMap;
  limits?: Partial<LimitOptions>;
  strict?: boolean;
  /** With `ts`: readings of one meter within this many ms of the voltage reading form a row (default 2000). */
  alignToleranceMs?: number;
  onProgress?: (readings: number) => void;
}

export interface ProcessedRow {
  current: number;
  currentIssue: 0 | 1;
  voltage: number;
  voltageIssue: 0 | 1;
  activePower: number;
  frequency: number;
  frequencyIssue: 0 | 1;
  meter?: string;
  ts?: string;
}

interface Reading {
  t: number;
  ts: string;
  v: number;
}

/** Checks a user-supplied map (e.g. parsed from --register-map JSON). */
export function validateRegisterMap(map: RegisterMap): RegisterMap {
  const have = new Set<Quantity>();
  for (const [reg, spec] of Object.entries(map)) {
    if (!/^\d+$/.test(reg)) throw new Error(`register map: "${reg}" is not a register number`);
    if (!spec || !QUANTITIES.includes(spec.quantity)) throw new Error(`register map: ${reg} needs a quantity (${QUANTITIES.join(', ')})`);
    if (spec.scale !== undefined && !Number.isFinite(spec.scale)) throw new Error(`register map: ${reg} scale is not a number`);
    if (spec.offset !== undefined && !Number.isFinite(spec.offset)) throw new Error(`register map: ${reg} offset is not a number`);
    if (have.has(spec.quantity)) throw new Error(`register map: two registers hold ${spec.quantity}`);
    have.add(spec.quantity);
  }
  const missing = QUANTITIES.filter((q) => !have.has(q));
  if (missing.length) throw new Error(`register map: no register for ${missing.join(', ')}`);
  return map;
}

/**
 * A register map in the device's `meterRegs` syntax ("1009:voltage:0.1,1006:current:0.001,..."), the one
 * syntax of process, train and retrain. Quantities process does not use (thd) are left out.
 */
export function parseRegisterMapText(text: string): RegisterMap {
  const m = parseDeviceMap(text);
  if (typeof m === 'string') throw new Error(m);
  const out: RegisterMap = {};
  for (let i = 0; i < m.registers.length; i++) {
    const q = DEVICE_QUANTITIES[m.quantity[i]!]!;
    if ((QUANTITIES as readonly string[]).includes(q)) out[String(m.registers[i])] = { quantity: q as Quantity, scale: m.scale[i]!, offset: m.offset[i]! };
  }
  return out;
}

/** The same map in the device's terms: registers holding decoded values (scale 1), for its sample assembler. */
function deviceMapOf(map: RegisterMap): DeviceMap {
  const text = Object.entries(map).map(([reg, spec]) => `${reg}:${spec.quantity}:1`).join(',');
  const m = parseDeviceMap(text);
  if (typeof m === 'string') throw new Error(m);
  return m;
}

/** Decodes one Raw data cell through its register spec; a string is the reason it is malformed. */
export function decodeRaw(text: string | undefined, spec: RegisterSpec): number | string {
  if (text === undefined || text.trim() === '') return 'missing Raw data';
  const t = text.trim();
  let raw: number;
  if (t.startsWith('[')) {
    let words: unknown;
    try {
      words = JSON.parse(t);
    } catch {
      return `Raw data "${t}" is not a number or word array`;
    }
    if (!Array.isArray(words) || words.length < 1 || words.length > 2 || !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff)) {
      return `Raw data "${t}" is not one or two 16-bit words`;
    }
    if (words.length === 1) {
      raw = words[0] as number;
      if (spec.signed && raw >= 0x8000) raw -= 0x10000;
    } else {
      const [a, b] = words as number[];
      const [hi, lo] = spec.wordOrder === 'little' ? [b, a] : [a, b];
      raw = hi * 0x10000 + lo;
      if (spec.signed && raw >= 0x80000000) raw -= 0x100000000;
    }
  } else {
    raw = parseNumber(t);
    if (Number.isNaN(raw)) return `Raw data "${t}" is not a number`;
  }
  // 12 significant digits: 2301 x 0.1 reads 230.1, not 230.10000000000002.
  return Number((raw * (spec.scale ?? 1) + (spec.offset ?? 0)).toPrecision(12));
}

/** Epoch ms of a `ts` or `Time` cell: numbers are milliseconds, never seconds (host/pipeline/timestamp.ts). */
export const parseTs = parseTimestampMs;

export interface ModbusResult {
  rows: ProcessedRow[];
  skipped: SkipReport;
  notes: string[];
  /** Readings of registers outside the map, per register: counted, never errors (the prototype's files have them). */
  outsideMap: Map<number, number>;
}

export async function processModbusCsv(paths: string[], opts: ModbusOptions = {}): Promise<ModbusResult> {
  if (paths.length === 0) throw new Error('no input files');
  const map = validateRegisterMap(opts.registerMap ?? DEFAULT_REGISTER_MAP);
  const limits = resolveLimits(opts.limits);
  const tolerance = opts.alignToleranceMs ?? 2000;
  const skips = new SkipCollector(opts.strict ?? false);
  const multi = paths.length > 1;
  // meter -> quantity -> readings (file order); and every reading in file order, for the device's rule
  const meters = new Map<string, Map<Quantity, Reading[]>>();
  const inOrder = new Map<string, { register: number; v: number }[]>();
  const outsideMap = new Map<number, number>();
  let sawTs = false, sawNoTs = false, count = 0;

  for (const path of paths) {
    const { header, records } = await openCsv(path);
    // `jerrywatt collect` leaves ts empty when a payload had none; its `Time` (receive time) stands in.
    const { register: cReg, raw: cRaw, ts: cTs, time: cTime, meter: cMeter } = readingColumns(path, header);
    if (cTs >= 0) sawTs = true;
    else sawNoTs = true;
    for await (const { fields, row, error } of records) {
      if (error) {
        skips.skip(path, row, error, multi);
        continue;
      }
      count++;
      if (opts.onProgress && count % 1024 === 0) opts.onProgress(count);
      const regText = fields[cReg];
      if (regText === undefined || fields[cRaw] === undefined) {
        skips.skip(path, row, 'missing column', multi);
        continue;
      }
      const regNum = parseNumber(regText);
      const reg = String(regNum);
      const spec = map[reg];
      if (!spec) {
        if (Number.isInteger(regNum) && regNum >= 0) outsideMap.set(regNum, (outsideMap.get(regNum) ?? 0) + 1);
        else skips.skip(path, row, `register "${regText}" is not a register number`, multi);
        continue;
      }
      const v = decodeRaw(fields[cRaw], spec);
      if (typeof v === 'string') {
        skips.skip(path, row, v, multi);
        continue;
      }
      let t = count, ts = '';
      if (cTs >= 0) {
        ts = fields[cTs] ?? '';
        if (ts.trim() === '' && cTime >= 0) ts = fields[cTime] ?? '';
        t = parseTs(ts);
        if (Number.isNaN(t)) {
          skips.skip(path, row, ts.trim() === '' ? 'no ts (and no Time)' : `ts "${ts}" is not a time`, multi);
          continue;
        }
      }
      const meter = cMeter >= 0 ? fields[cMeter] ?? '' : '';
      let byQ = meters.get(meter);
      if (!byQ) meters.set(meter, (byQ = new Map(QUANTITIES.map((q) => [q, [] as Reading[]]))));
      byQ.get(spec.quantity)!.push({ t, ts, v });
      if (!inOrder.has(meter)) inOrder.set(meter, []);
      inOrder.get(meter)!.push({ register: regNum, v });
    }
  }
  if (sawTs && sawNoTs) throw new Error('some inputs have a ts column and some do not: align them separately');

  const notes: string[] = [];
  const rows: ProcessedRow[] = [];
  let unpaired = 0;
  const deviceMap = deviceMapOf(map);
  for (const [meter, byQ] of meters) {
    const aligned = sawTs ? alignByTime(byQ, tolerance) : alignByDeviceRule(inOrder.get(meter)!, deviceMap);
    unpaired += aligned.unpaired;
    for (const r of aligned.rows) {
      rows.push({
        current: r.current,
        currentIssue: currentIssue(r.current, limits),
        voltage: r.voltage,
        voltageIssue: voltageIssue(r.voltage, limits),
        activePower: r.activePower,
        frequency: r.frequency,
        frequencyIssue: frequencyIssue(r.frequency, limits),
        ...(meters.size > 1 || meter !== '' ? { meter } : {}),
        ...(sawTs ? { ts: r.ts } : {}),
      });
    }
  }
  notes.push(sawTs ? `aligned per meter by time (tolerance ${tolerance} ms)` : 'no ts column: samples by the device\'s rule (readings in order, a register seen again starts the next sample)');
  if (unpaired) notes.push(`${unpaired} readings had no partner for every quantity and were left out`);
  if (outsideMap.size) {
    const total = [...outsideMap.values()].reduce((a, b) => a + b, 0);
    notes.push(`${total} readings of registers outside the map counted and left out: ${[...outsideMap].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([r, n]) => `${r} x${n}`).join(', ')}`);
  }
  return { rows, skipped: skips.report, notes, outsideMap };
}

/**
 * The device's rule (device/meter/assembler.ts, the very code): readings in order; a register seen again
 * before its sample completed starts the next sample, and the incomplete one is left out.
 */
function alignByDeviceRule(readings: { register: number; v: number }[], map: DeviceMap): { rows: Aligned[]; unpaired: number } {
  const asm = new SampleAssembler(map);
  const rows: Aligned[] = [];
  for (const r of readings) {
    const a = asm.add(r.register, r.v, NaN);
    if (a === A_COMPLETE) {
      const q = asm.values;
      rows.push({ current: q[DEVICE_QUANTITIES.indexOf('current')]!, activePower: q[DEVICE_QUANTITIES.indexOf('activePower')]!, voltage: q[DEVICE_QUANTITIES.indexOf('voltage')]!, frequency: q[DEVICE_QUANTITIES.indexOf('frequency')]!, ts: '' });
    }
  }
  // Readings of incomplete samples, and values the device would refuse as implausible.
  return { rows, unpaired: readings.length - rows.length * QUANTITIES.length };
}

type Aligned = Record<Quantity, number> & { ts: string };

/** Each voltage reading takes the nearest reading of every other quantity within the tolerance. */
function alignByTime(byQ: Map<Quantity, Reading[]>, tolerance: number): { rows: Aligned[]; unpaired: number } {
  const sorted = new Map<Quantity, Reading[]>();
  for (const q of QUANTITIES) sorted.set(q, [...byQ.get(q)!].sort((a, b) => a.t - b.t));
  const anchor = sorted.get('voltage')!;
  const cursor = new Map<Quantity, number>(QUANTITIES.map((q) => [q, 0]));
  const rows: Aligned[] = [];
  let used = 0;
  for (const a of anchor) {
    const row = { voltage: a.v, ts: a.ts } as Aligned;
    let complete = true;
    for (const q of QUANTITIES) {
      if (q === 'voltage') continue;
      const list = sorted.get(q)!;
      let i = cursor.get(q)!;
      while (i + 1 < list.length && Math.abs(list[i + 1].t - a.t) <= Math.abs(list[i].t - a.t)) i++;
      cursor.set(q, i);
      if (i < list.length && Math.abs(list[i].t - a.t) <= tolerance) row[q] = list[i].v;
      else complete = false;
    }
    if (complete) {
      rows.push(row);
      used++;
    }
  }
  const total = QUANTITIES.reduce((s, q) => s + sorted.get(q)!.length, 0);
  return { rows, unpaired: Math.max(0, total - used * QUANTITIES.length) };
}
