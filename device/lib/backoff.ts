/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so a fleet that lost its
 * broker at once does not come back at once, yet no device waits near zero.
 */
export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
}

export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.minMs * Math.pow(2, Math.min(attempt, 30)));
  return Math.round(base / 2 + random() * (base / 2));
}

/** Counts attempts and schedules the next one through a timer function (native.timerStart on the device). */
export class Backoff {
  attempt = 0;
  private timer = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly start: (ms: number, cb: () => void) => number,
    private readonly stop: (id: number) => void,
  ) {}

  /** Schedules `fn` after the next delay; returns that delay. A pending schedule is replaced. */
  schedule(fn: () => void): number {
    this.cancel();
    const ms = backoffDelay(this.attempt++, this.policy);
    this.timer = this.start(ms, () => {
      this.timer = 0;
      fn();
    });
    return ms;
  }

  get pending(): boolean {
    return this.timer !== 0;
  }

  cancel(): void {
    if (this.timer) this.stop(this.timer);
    this.timer = 0;
  }

  reset(): void {
    this.cancel();
    this.attempt = 0;
  }
}
