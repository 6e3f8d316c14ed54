import type { GpioMode, Native } from '../../../bindings/native.js';
import { checkType, type BoardContext } from './context.ts';

const MODES: GpioMode[] = ['input', 'output', 'input_pullup', 'input_pulldown'];
const MAX_GPIO = 39;

export function gpioNative(ctx: BoardContext): Pick<Native, 'gpioMode' | 'gpioWrite' | 'gpioRead'> {
  const pinOk = (pin: number, fn: string) => checkType(Number.isInteger(pin) && pin >= 0 && pin <= MAX_GPIO, fn, `pin ${pin} is not a GPIO (0..${MAX_GPIO})`);
  return {
    gpioMode(pin, mode) {
      pinOk(pin, 'gpioMode');
      checkType(MODES.includes(mode), 'gpioMode', `unknown mode ${String(mode)}`);
      const cur = ctx.gpio.get(pin);
      ctx.gpio.set(pin, { mode, level: mode === 'input_pullup' ? 1 : (cur?.level ?? 0) });
    },
    gpioWrite(pin, level) {
      pinOk(pin, 'gpioWrite');
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
