/**
 * The alarm LED, on its own pin (setting alarmPin), apart from the command LED: fast blink (5 Hz) while a
 * watched meter is in an anomaly, slow blink (0.5 Hz) while one is stale, off otherwise. One timer, only
 * while blinking.
 */
export const ALARM_OFF = 0;
export const ALARM_ANOMALY = 1;
export const ALARM_STALE = 2;
const HALF_PERIOD_MS = [0, 100, 1000];

export class AlarmLed {
  mode = ALARM_OFF;
  private timer = 0;
  private level: 0 | 1 = 0;

  constructor(readonly pin: number) {
    if (pin >= 0) {
      native.gpioMode(pin, 'output');
      native.gpioWrite(pin, 0);
    }
  }

  set(mode: number): void {
    if (mode === this.mode || this.pin < 0) return;
    this.mode = mode;
    if (this.timer) native.timerStop(this.timer);
    this.timer = 0;
    this.write(mode === ALARM_OFF ? 0 : 1);
    if (mode !== ALARM_OFF) this.timer = native.timerStart(HALF_PERIOD_MS[mode]!, true, () => this.write(this.level ? 0 : 1));
  }

  private write(level: 0 | 1): void {
    this.level = level;
    native.gpioWrite(this.pin, level);
  }
}
