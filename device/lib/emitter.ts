/** A minimal EventEmitter for device code (no Node `events` on the engine). */
type Listener = (...args: any[]) => void;

export class Emitter<Events extends Record<string, Listener>> {
  private listeners: { [K in keyof Events]?: Events[K][] } = {};

  on<K extends keyof Events>(event: K, fn: Events[K]): this {
    (this.listeners[event] ??= []).push(fn);
    return this;
  }

  off<K extends keyof Events>(event: K, fn: Events[K]): this {
    const list = this.listeners[event];
    if (list) this.listeners[event] = list.filter((f) => f !== fn);
    return this;
  }

  once<K extends keyof Events>(event: K, fn: Events[K]): this {
    const wrap = ((...args: unknown[]) => {
      this.off(event, wrap);
      fn(...args);
    }) as Events[K];
    return this.on(event, wrap);
  }

  protected emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): boolean {
    const list = this.listeners[event];
    if (!list || list.length === 0) return false;
    for (const fn of list.slice()) fn(...args);
    return true;
  }
}
