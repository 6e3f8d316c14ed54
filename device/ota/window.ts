/**
 * Chunk accounting of one transfer (pure; the clock is passed in): which chunks are received (a bitmap of the whole
 * image), which are in flight (at most `window`, each with the time it was asked for), and what to ask for next.
 * Completeness comes from here, never from MQTT QoS.
 */
import { MAX_RANGES, type Ranges } from './frame.ts';

export class ChunkWindow {
  readonly received: Uint8Array;
  receivedCount = 0;
  /** Lowest chunk index not received. */
  lowest = 0;
  retryMs: number;
  /** Most chunks ever in flight at once (never above `window`). */
  peakInFlight = 0;
  private readonly flightIdx: Int32Array;
  private readonly flightAt: Float64Array;
  private flightCount = 0;
  private progressSinceRequest = true;

  constructor(
    readonly total: number,
    readonly window: number,
    readonly baseRetryMs = 1500,
    readonly maxRetryMs = 8000,
  ) {
    if (!(window >= 1 && window <= 64)) throw new RangeError('window must be 1..64 chunks');
    this.received = new Uint8Array((total + 7) >> 3);
    this.flightIdx = new Int32Array(window);
    this.flightAt = new Float64Array(window);
    this.retryMs = baseRetryMs;
  }

  has(i: number): boolean {
    return (this.received[i >> 3]! & (1 << (i & 7))) !== 0;
  }

  get complete(): boolean {
    return this.receivedCount === this.total;
  }

  get inFlight(): number {
    return this.flightCount;
  }

  /** Marks chunks [0, n) received (resume after re-checking them in flash). */
  markPrefix(n: number): void {
    for (let i = 0; i < n; i++) this.mark(i);
  }

  /** Records a chunk. Returns false for a duplicate or an index out of range. */
  mark(i: number): boolean {
    if (i < 0 || i >= this.total || this.has(i)) return false;
    this.received[i >> 3]! |= 1 << (i & 7);
    this.receivedCount++;
    this.dropFlight(i);
    this.progressSinceRequest = true;
    this.retryMs = this.baseRetryMs;
    while (this.lowest < this.total && this.has(this.lowest)) this.lowest++;
    return true;
  }

  /**
   * Forgets chunks [first, last) that were received (their sector did not take a write and was erased again): they
   * are missing once more. What is in flight is left as it is.
   */
  forget(first: number, last: number): void {
    for (let i = first; i < last; i++) {
      if (this.has(i)) {
        this.received[i >> 3]! &= ~(1 << (i & 7));
        this.receivedCount--;
      }
    }
    if (first < this.lowest) this.lowest = first;
  }

  /** Forgets what is in flight (after a reconnect): all of it is asked for again. */
  clearFlight(): void {
    this.flightCount = 0;
  }

  /**
   * Expires chunks in flight longer than the retry timeout and, when at least half the window is free (or nothing
   * is in flight), returns the ranges to ask for now; else null.
   */
  next(now: number): Ranges | null {
    let expired = false;
    for (let k = 0; k < this.flightCount; ) {
      if (now - this.flightAt[k]! >= this.retryMs) {
        this.removeAt(k);
        expired = true;
      } else k++;
    }
    if (expired) {
      if (!this.progressSinceRequest) this.retryMs = Math.min(this.retryMs * 2, this.maxRetryMs);
    }
    const free = this.window - this.flightCount;
    if (this.complete || free === 0) return null;
    if (this.flightCount > 0 && free * 2 < this.window) return null;
    const ranges: Ranges = [];
    let want = free;
    for (let i = this.lowest; i < this.total && want > 0; i++) {
      if (this.has(i) || this.flying(i)) continue;
      const last = ranges.length ? ranges[ranges.length - 1]! : null;
      if (last && last[0] + last[1] === i) last[1]++;
      else if (ranges.length === MAX_RANGES) break;
      else ranges.push([i, 1]);
      this.flightIdx[this.flightCount] = i;
      this.flightAt[this.flightCount] = now;
      this.flightCount++;
      want--;
    }
    if (this.flightCount > this.peakInFlight) this.peakInFlight = this.flightCount;
    if (!ranges.length) return null;
    this.progressSinceRequest = false;
    return ranges;
  }

  private flying(i: number): boolean {
    for (let k = 0; k < this.flightCount; k++) if (this.flightIdx[k] === i) return true;
    return false;
  }

  private dropFlight(i: number): void {
    for (let k = 0; k < this.flightCount; k++) if (this.flightIdx[k] === i) return this.removeAt(k);
  }

  private removeAt(k: number): void {
    const last = --this.flightCount;
    this.flightIdx[k] = this.flightIdx[last]!;
    this.flightAt[k] = this.flightAt[last]!;
  }
}
