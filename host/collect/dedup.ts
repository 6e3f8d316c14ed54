/**
 * QoS 1 can deliver a message twice (after a reconnect or a broker restart). A reading is identified by
 * (meter, register, ts); this remembers the most recent `capacity` keys, which covers any redelivery window
 * (redelivery concerns in-flight messages, a few hundred at most) with bounded memory.
 */
export class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(readonly capacity = 200_000) {}

  static key(meter: string, register: number, ts: string): string {
    return `${meter}\u0000${register}\u0000${ts}`;
  }

  /** True when the key is new (and now remembered); false for a duplicate. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    // A Set iterates in insertion order: drop the oldest.
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value as string);
    return true;
  }

  get size(): number {
    return this.keys.size;
  }
}
