import type { Native } from '../../../bindings/native.js';
import { checkType, type BoardContext } from './context.ts';

export function timersNative(ctx: BoardContext): Pick<Native, 'millis' | 'timerStart' | 'timerStop' | 'wallClock'> {
  const timers = new Map<number, unknown>();
  let next = 0;
  ctx.disposers.push(() => {
    for (const h of timers.values()) ctx.clock.clearTimer(h);
    timers.clear();
  });
  return {
    millis: () => Math.floor(ctx.clock.now() - ctx.bootAt),
    timerStart(ms, repeat, cb) {
      checkType(typeof ms === 'number' && ms >= 0 && Number.isFinite(ms), 'timerStart', 'ms must be a non-negative number');
      checkType(typeof cb === 'function', 'timerStart', 'cb must be a function');
      const id = ++next;
      const arm = () => {
        timers.set(
          id,
          ctx.clock.setTimer(ms, () => {
            if (!timers.has(id) || !ctx.alive) return;
            if (repeat) arm();
            else timers.delete(id);
            ctx.invoke(cb);
          }),
        );
      };
      arm();
      return id;
    },
    timerStop(id) {
      const h = timers.get(id);
      if (h !== undefined) ctx.clock.clearTimer(h);
      timers.delete(id);
    },
    // SNTP on the device; the host clock is already right (a test's manual clock keeps its own).
    wallClock: () => (ctx.clock.wall ? ctx.clock.wall() : Date.now()),
  };
}
