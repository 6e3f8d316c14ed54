/**
 * Readings -> the meter data set, through the DEVICE's own code: device/meter/assembler.ts groups readings
 * into samples and device/meter/features.ts computes the features, so a row here is exactly what the device
 * scores for the same readings.
 */
import type { SkipReport } from '../process/rows.ts';
import type { Dataset } from '../dataset.ts';
import { SampleAssembler, A_COMPLETE, A_DUPLICATE, A_PENDING, A_UNKNOWN_REGISTER, A_OUT_OF_RANGE, A_OUT_OF_ORDER } from '../../../device/meter/assembler.ts';
import { MeterFeatures, METER_FEATURES } from '../../../device/meter/features.ts';
import type { RegisterMap } from '../../../device/meter/registers.ts';

export const METER_CLASSES = ['normal', 'sag', 'swell', 'freq'];

/** The process stage's SkipReport, with counts per reason (a meter sample can be refused for several). */
export interface SkipSummary extends SkipReport {
  byReason: Record<string, number>;
}

/** Class index (METER_CLASSES) of a complete sample, or -1 to leave it out. `values` is indexed by Q_*. */
export type Labeler = (meter: string, ts: number, values: Float64Array) => number;

const A_REASON: Record<number, string> = { [A_UNKNOWN_REGISTER]: 'unknown register', [A_OUT_OF_RANGE]: 'raw value out of range', [A_OUT_OF_ORDER]: 'ts out of order' };

export class MeterDatasetBuilder {
  private readonly rows: number[] = [];
  private readonly cls: number[] = [];
  private readonly group: number[] = [];
  private readonly meters = new Map<string, { index: number; asm: SampleAssembler; feat: MeterFeatures; samples: number }>();
  readonly skipped: SkipSummary = { count: 0, first: [], byReason: {} };
  duplicates = 0;
  /** Readings of registers the map does not hold: counted, never an error (the prototype's files have them). */
  outsideMap = 0;
  private readonly outside = new Map<number, number>();
  /** Feature columns kept, as indexes into METER_FEATURES. */
  private readonly cols: number[];

  constructor(
    private readonly map: RegisterMap,
    private readonly labeler: Labeler,
    readonly featureNames: string[],
    private readonly groupSamples = 50,
    private readonly nominal: { nominalV: number; mainsHz: number } = { nominalV: 230, mainsHz: 50 },
  ) {
    this.cols = featureNames.map((n) => {
      const i = METER_FEATURES.indexOf(n);
      if (i < 0) throw new Error(`unknown meter feature "${n}" (have ${METER_FEATURES.join(', ')})`);
      return i;
    });
  }

  skip(row: number, reason: string): void {
    this.skipped.count++;
    this.skipped.byReason[reason] = (this.skipped.byReason[reason] ?? 0) + 1;
    if (this.skipped.first.length < 10) this.skipped.first.push({ row, reason });
  }

  /** One reading of `meter` (raw as sent, ts NaN when none); `row` identifies it in skip reports. */
  add(meter: string, register: number, raw: number, ts: number, row: number): void {
    let m = this.meters.get(meter);
    if (!m) this.meters.set(meter, (m = { index: this.meters.size, asm: new SampleAssembler(this.map), feat: new MeterFeatures(this.nominal.nominalV, this.nominal.mainsHz), samples: 0 }));
    const a = m.asm.add(register, raw, ts);
    if (a === A_DUPLICATE) {
      this.duplicates++;
      return;
    }
    if (a === A_UNKNOWN_REGISTER) {
      this.outsideMap++;
      this.outside.set(register, (this.outside.get(register) ?? 0) + 1);
      return;
    }
    if (a !== A_PENDING && a !== A_COMPLETE) return this.skip(row, `${A_REASON[a] ?? 'refused'} (register ${register})`);
    if (a !== A_COMPLETE) return;
    const f = m.feat.update(m.asm.values);
    const c = this.labeler(meter, m.asm.ts, m.asm.values);
    const sample = m.samples++;
    if (c < 0) return;
    for (const i of this.cols) this.rows.push(f[i]!);
    this.cls.push(c);
    this.group.push(m.index * 1_000_000 + Math.floor(sample / this.groupSamples));
  }

  /** "1008 x12" for each register outside the map, most frequent first. */
  outsideRegisters(): string[] {
    return [...this.outside].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([r, n]) => `${r} x${n}`);
  }

  get partial(): number {
    let n = 0;
    for (const m of this.meters.values()) n += m.asm.partial;
    return n;
  }

  get meterIds(): string[] {
    return [...this.meters.keys()];
  }

  dataset(): Dataset {
    const n = this.cls.length;
    return {
      featureNames: this.featureNames.slice(),
      X: Float32Array.from(this.rows),
      nRows: n,
      nFeatures: this.featureNames.length,
      target: Uint8Array.from(this.cls, (c) => (c === 0 ? 0 : 1)),
      classes: METER_CLASSES.slice(),
      classIdx: Uint16Array.from(this.cls),
      group: Int32Array.from(this.group),
    };
  }
}
