/**
 * Readings of one meter -> complete samples. Readings of one sample share a `ts`; the sample is complete when
 * every register of the map has arrived for that ts. A reading with a newer ts starts the next sample (the one
 * before, if incomplete, is counted partial and never scored). Older ts: out of order; the same ts again for
 * a register: a (QoS 1) duplicate. Without ts (old gateways), a register seen again starts the next sample.
 * Pure and allocation-free; the host's training assembles collected CSVs with this same class.
 */
import { NQ, RANGE_MAX, RANGE_MIN, RAW_MAX, RAW_MIN, slotOf, type RegisterMap } from './registers.ts';

export const A_PENDING = 0;
export const A_COMPLETE = 1;
export const A_DUPLICATE = 2;
export const A_OUT_OF_ORDER = 3;
export const A_UNKNOWN_REGISTER = 4;
export const A_OUT_OF_RANGE = 5;

export class SampleAssembler {
  /** Scaled quantities of the last complete sample (index Q_*); 0 for quantities the map lacks. */
  readonly values = new Float64Array(NQ);
  /** ts of the sample being assembled, then of the completed one. */
  ts = -1;
  partial = 0;
  complete = 0;
  private readonly pending = new Float64Array(NQ);
  private readonly lastTs: Float64Array;
  private filled = 0;
  private readonly full: number;
  private synthetic = -1;

  constructor(readonly map: RegisterMap) {
    this.lastTs = new Float64Array(map.registers.length).fill(-1);
    this.full = (1 << map.registers.length) - 1;
  }

  /** One reading; ts NaN when the payload had none. Returns A_*; on A_COMPLETE `values` and `ts` hold the sample. */
  add(register: number, raw: number, ts: number): number {
    const map = this.map;
    const slot = slotOf(map, register);
    if (slot < 0) return A_UNKNOWN_REGISTER;
    if (!(raw >= RAW_MIN && raw <= RAW_MAX)) return A_OUT_OF_RANGE;
    const q = map.quantity[slot]!;
    const v = raw * map.scale[slot]! + map.offset[slot]!;
    if (!(v >= RANGE_MIN[q]! && v <= RANGE_MAX[q]!)) return A_OUT_OF_RANGE;
    const bit = 1 << slot;
    if (ts !== ts) ts = this.lastTs[slot]! >= this.synthetic ? ++this.synthetic : this.synthetic;
    else {
      const last = this.lastTs[slot]!;
      if (ts < last) return A_OUT_OF_ORDER;
      if (ts === last) return A_DUPLICATE;
    }
    this.lastTs[slot] = ts;
    if (ts !== this.ts) {
      if (ts < this.ts) return A_OUT_OF_ORDER;
      if (this.filled) this.partial++;
      this.filled = 0;
      this.ts = ts;
    }
    this.pending[q] = v;
    this.filled |= bit;
    if (this.filled !== this.full) return A_PENDING;
    this.values.set(this.pending);
    this.filled = 0;
    this.complete++;
    return A_COMPLETE;
  }
}
