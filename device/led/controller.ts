/**
 * Applies LED commands to GPIO and keeps the state the device reports. A blink runs on one repeating native
 * timer; a new command on the same pin cancels it. Sequenced commands are admitted by senders.ts before they get
 * here; the ids of the last SEEN_IDS unsequenced commands de-duplicate within a boot (at least once beyond that).
 */
import type { LedCommand } from './command.ts';

export interface LedReport {
  pin: number;
  state: 'on' | 'off';
  blinking: boolean;
  id: string | null;
  pins: { [pin: string]: 'on' | 'off' };
}

const SEEN_IDS = 32;

export class LedController {
  private readonly level: { [pin: number]: boolean } = {};
  private readonly blinkTimer: { [pin: number]: number } = {};
  private readonly seen: string[] = [];
  applied = 0;
  duplicates = 0;

  constructor(
    private readonly activeLow: boolean,
    private readonly onChange: (report: LedReport) => void,
  ) {}

  /** Drives a pin as output, off. */
  init(pin: number): void {
    native.gpioMode(pin, 'output');
    this.set(pin, false);
  }

  /** Returns false when the command id was seen already (nothing changes). */
  apply(cmd: LedCommand): boolean {
    if (cmd.id !== null && cmd.from === null) {
      if (this.seen.indexOf(cmd.id) >= 0) {
        this.duplicates++;
        return false;
      }
      this.seen.push(cmd.id);
      if (this.seen.length > SEEN_IDS) this.seen.shift();
    }
    const pin = cmd.pin;
    if (this.level[pin] === undefined) native.gpioMode(pin, 'output');
    this.stopBlink(pin);
    const now = this.level[pin] === true;
    const final = cmd.state === 'toggle' ? !now : cmd.state === 'on';
    this.applied++;
    if (cmd.blink) {
      let flips = cmd.blink.count * 2;
      this.blinkTimer[pin] = native.timerStart(Math.max(10, cmd.blink.periodMs >> 1), true, () => {
        if (flips-- > 0) {
          this.set(pin, !this.level[pin]);
          return;
        }
        this.stopBlink(pin);
        this.set(pin, final);
        this.report(pin, cmd.id);
      });
      this.report(pin, cmd.id);
      return true;
    }
    this.set(pin, final);
    this.report(pin, cmd.id);
    return true;
  }

  /** Publishes the current state again (after a reconnect). */
  republish(pin: number): void {
    this.report(pin, null);
  }

  snapshot(): { [pin: string]: 'on' | 'off' } {
    const pins: { [pin: string]: 'on' | 'off' } = {};
    for (const p in this.level) pins[p] = this.level[p] ? 'on' : 'off';
    return pins;
  }

  private set(pin: number, on: boolean): void {
    this.level[pin] = on;
    native.gpioWrite(pin, on !== this.activeLow ? 1 : 0);
  }

  private stopBlink(pin: number): void {
    const t = this.blinkTimer[pin];
    if (t) native.timerStop(t);
    delete this.blinkTimer[pin];
  }

  private report(pin: number, id: string | null): void {
    this.onChange({ pin, state: this.level[pin] ? 'on' : 'off', blinking: this.blinkTimer[pin] !== undefined, id, pins: this.snapshot() });
  }
}
