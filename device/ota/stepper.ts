/**
 * One step of work at a time, each from its own timer tick, so that long jobs (erasing a slot, hashing an image)
 * run in slices and the MQTT keepalive and the watchdog never starve. A new step replaces a pending one.
 */
import type { Native } from '../../bindings/native.js';

export class Stepper {
  private timer = 0;

  /** `onThrow` runs when a step throws (before the error goes on to the runtime's fault handler). */
  constructor(
    private readonly n: Native,
    private readonly onThrow: () => void,
  ) {}

  run(fn: () => void, ms = 1): void {
    this.stop();
    this.timer = this.n.timerStart(ms, false, () => {
      this.timer = 0;
      try {
        fn();
      } catch (e) {
        this.onThrow();
        throw e;
      }
    });
  }

  stop(): void {
    if (this.timer) this.n.timerStop(this.timer);
    this.timer = 0;
  }
}
