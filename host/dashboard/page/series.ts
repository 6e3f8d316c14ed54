/**
 * One meter's chart data: a ring of samples (meter time and five quantities) bounded both by count and by age,
 * so ten minutes of history stay ten minutes whatever the rate, and a flood cannot grow it.
 */
export const SERIES_FIELDS = ['voltage', 'current', 'activePower', 'thd', 'frequency'] as const;
export const SERIES_UNITS = ['V', 'A', 'W', '%', 'Hz'] as const;
const NF = SERIES_FIELDS.length;

export class MeterSeries {
  private readonly ts: Float64Array;
  private readonly vals: Float64Array;
  private head = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    readonly historyMs: number,
  ) {
    this.ts = new Float64Array(capacity);
    this.vals = new Float64Array(capacity * NF);
  }

  get length(): number {
    return this.count;
  }

  /** Appends a sample; an older or equal ts than the last is ignored (charts need ascending x). */
  push(ts: number, values: ArrayLike<number>): void {
    if (this.count && ts <= this.lastTs()) return;
    const i = (this.head + this.count) % this.capacity;
    this.ts[i] = ts;
    for (let f = 0; f < NF; f++) this.vals[i * NF + f] = values[f] ?? NaN;
    if (this.count < this.capacity) this.count++;
    else this.head = (this.head + 1) % this.capacity;
    // Age bound: drop what fell out of the window.
    while (this.count > 1 && this.ts[this.head]! < ts - this.historyMs) {
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
  }

  lastTs(): number {
    return this.count ? this.ts[(this.head + this.count - 1) % this.capacity]! : 0;
  }

  firstTs(): number {
    return this.count ? this.ts[this.head]! : 0;
  }

  /** Columns for a chart: [seconds, field...], oldest first (fresh arrays; the chart keeps them). */
  columns(): number[][] {
    const out: number[][] = [new Array(this.count)];
    for (let f = 0; f < NF; f++) out.push(new Array(this.count));
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % this.capacity;
      out[0]![k] = this.ts[i]! / 1000;
      for (let f = 0; f < NF; f++) out[f + 1]![k] = this.vals[i * NF + f]!;
    }
    return out;
  }

  /** The latest value of each field, or null when empty. */
  latest(): number[] | null {
    if (!this.count) return null;
    const i = (this.head + this.count - 1) % this.capacity;
    return Array.from(this.vals.subarray(i * NF, i * NF + NF));
  }
}
