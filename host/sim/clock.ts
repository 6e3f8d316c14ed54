/**
 * Time for the simulated board. Real time for `jerrywatt sim`; a manual clock for tests, which advance it
 * instead of sleeping.
 */
export interface Clock {
  now(): number;
  /** Wall time, ms since the epoch (the board's `wallClock()`); absent: the host's. */
  wall?(): number;
  setTimer(ms: number, cb: () => void): unknown;
  clearTimer(handle: unknown): void;
}

export class RealClock implements Clock {
  private readonly t0 = performance.now();
  now(): number {
    return performance.now() - this.t0;
  }
  setTimer(ms: number, cb: () => void): unknown {
    const t = setTimeout(cb, ms);
    t.unref?.();
    return t;
  }
  clearTimer(handle: unknown): void {
    clearTimeout(handle as NodeJS.Timeout);
  }
}

interface Pending {
  at: number;
  seq: number;
  cb: () => void;
}

export class ManualClock implements Clock {
  private t = 0;
  /** Wall time at `now() == 0`: a manual clock's wall time moves with it, so tests can let an offer expire. */
  wallAtZero = Date.now();

  wall(): number {
    return this.wallAtZero + this.t;
  }

  private seq = 0;
  private pending = new Map<number, Pending>();

  now(): number {
    return this.t;
  }

  setTimer(ms: number, cb: () => void): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + Math.max(0, ms), seq: id, cb });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Runs every timer due within `ms`, in time order, advancing `now` to each. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, Pending] | undefined;
      for (const e of this.pending) if (e[1].at <= end && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[1].seq < next[1].seq))) next = e;
      if (!next) break;
      this.pending.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].cb();
    }
    this.t = end;
  }

  get timers(): number {
    return this.pending.size;
  }
}
