/**
 * Exactly once, in order, across restarts: the last applied sequence number of each sender, at most MAX_SENDERS of
 * them, kept in NVS (one small key per sender slot, `ledSq0`..`ledSq31`, "<stamp> <seq> <sender>"). A command is
 * applied only when its sequence is above the last one applied from its sender; the slot is written BEFORE the
 * command is applied, so a duplicate redelivered after a power cut (QoS 1, or a retained command at the next boot)
 * is never applied again.
 *
 * Flash writes are bounded by a token bucket: at most WRITE_BURST writes at once and one more per WRITE_REFILL_MS
 * (sustained <= 28,800 a day whatever a peer sends); a sequenced command over the budget is refused with an error
 * and not applied (its sender may send it again). A 33rd sender takes the slot of the least recently applied one,
 * whose next command is then judged as new: "exactly once" holds for the 32 most recent senders.
 */
export const MAX_SENDERS = 32;
export const WRITE_BURST = 20;
export const WRITE_REFILL_MS = 3000;

/** The slot keys in the state store (the `ledSeq` row of device/settings/keys.ts, plus the slot number). */
export interface SlotStore {
  get(slot: number): string;
  set(slot: number, value: string): boolean;
}

export type Admission = 'apply' | 'old' | 'budget';

export class SenderTable {
  private readonly names: string[] = [];
  private readonly seqs: number[] = [];
  private readonly stamps: number[] = [];
  private stamp = 0;
  private tokens = WRITE_BURST;
  private refilledAt: number;

  constructor(
    private readonly store: SlotStore,
    private readonly now: () => number,
  ) {
    this.refilledAt = now();
    for (let i = 0; i < MAX_SENDERS; i++) {
      const v = store.get(i);
      const a = v.indexOf(' ');
      const b = a < 0 ? -1 : v.indexOf(' ', a + 1);
      const stamp = Number(v.slice(0, a));
      const seq = Number(v.slice(a + 1, b));
      if (b < 0 || !(stamp >= 0) || !(seq >= 1)) continue; // empty or damaged: a free slot
      this.names[i] = v.slice(b + 1);
      this.seqs[i] = seq;
      this.stamps[i] = stamp;
      if (stamp > this.stamp) this.stamp = stamp;
    }
  }

  /** The last sequence applied from `from` (0: none known). */
  last(from: string): number {
    const i = this.names.indexOf(from);
    return i < 0 ? 0 : this.seqs[i]!;
  }

  /**
   * 'apply': above the last from this sender, recorded in NVS (apply it now); 'old': at or below it (a duplicate, or
   * overtaken in transit: drop it); 'budget': the flash-write budget is spent (refuse it).
   */
  admit(from: string, seq: number): Admission {
    let i = this.names.indexOf(from);
    if (i >= 0 && seq <= this.seqs[i]!) return 'old';
    if (!this.take()) return 'budget';
    if (i < 0) i = this.freeSlot();
    this.stamp++;
    this.names[i] = from;
    this.seqs[i] = seq;
    this.stamps[i] = this.stamp;
    this.store.set(i, `${this.stamp} ${seq} ${from}`);
    return 'apply';
  }

  private freeSlot(): number {
    let lru = 0;
    for (let i = 0; i < MAX_SENDERS; i++) {
      if (this.names[i] === undefined) return i;
      if (this.stamps[i]! < this.stamps[lru]!) lru = i;
    }
    return lru;
  }

  private take(): boolean {
    const t = this.now();
    const add = Math.floor((t - this.refilledAt) / WRITE_REFILL_MS);
    if (add > 0) {
      this.tokens = Math.min(WRITE_BURST, this.tokens + add);
      this.refilledAt += add * WRITE_REFILL_MS;
    }
    if (this.tokens === 0) return false;
    if (this.tokens === WRITE_BURST) this.refilledAt = t;
    this.tokens--;
    return true;
  }
}
