import type { GpioMode, Native } from '../../../bindings/native.js';
import { checkType, type BoardContext } from './context.ts';

const MODES: GpioMode[] = ['input', 'output', 'input_pullup', 'input_pulldown'];
const MAX_GPIO = 39;

export function gpioNative(ctx: BoardContext): Pick<Native, 'gpioMode' | 'gpioWrite' | 'gpioRead'> {
  // 6-11 drive the flash on an ESP32: never usable (native/esp/gpio.c, native/posix/gpio.c).
  const pinOk = (pin: number, fn: string) =>
    checkType(Number.isInteger(pin) && pin >= 0 && pin <= MAX_GPIO && !(pin >= 6 && pin <= 11), fn, `pin ${pin} is not a usable GPIO (0..${MAX_GPIO}, not 6..11)`);
  return {
    gpioMode(pin, mode) {
      pinOk(pin, 'gpioMode');
      checkType(MODES.includes(mode), 'gpioMode', `unknown mode ${String(mode)}`);
      const cur = ctx.gpio.get(pin);
      ctx.gpio.set(pin, { mode, level: mode === 'input_pullup' ? 1 : (cur?.level ?? 0) });
    },
    gpioWrite(pin, level) {
      pinOk(pin, 'gpioWrite');
      checkType(typeof level === 'number', 'gpioWrite', 'level must be 0 or 1');
      const cur = ctx.gpio.get(pin);
      checkType(cur?.mode === 'output', 'gpioWrite', `pin ${pin} is not an output`);
      const l = level ? 1 : 0;
      ctx.gpio.set(pin, { mode: 'output', level: l });
      ctx.onGpio(pin, l);
    },
    gpioRead(pin) {
      pinOk(pin, 'gpioRead');
      return ctx.gpio.get(pin)?.level ?? 0;
    },
  };
}
