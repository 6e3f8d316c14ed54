/**
 * A fresh V8 context that looks like JerryScript 3.0 from inside: the language built-ins the engine has, plus
 * `native`, and nothing else. Built-ins the engine lacks are removed, so a bundle that uses them fails here as
 * it would on the device (the list is below; the build refuses the same gaps, ENGINE_LACKS in esbuild.config.mjs).
 */
import vm from 'node:vm';

/** Globals V8 puts in every context that JerryScript 3.0 does not have. */
export const REMOVED_GLOBALS = ['console', 'Intl', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry', 'structuredClone', 'queueMicrotask', 'escape', 'unescape'];

/** [constructor, method] pairs newer than the engine. (Error `cause` cannot be removed from V8; the build refuses it.) */
export const REMOVED_METHODS: Array<[string, string]> = [
  ['Array.prototype', 'findLast'],
  ['Array.prototype', 'findLastIndex'],
  ['Array.prototype', 'toSorted'],
  ['Array.prototype', 'toReversed'],
  ['Array.prototype', 'toSpliced'],
  ['Array.prototype', 'with'],
  ['Object.getPrototypeOf(Uint8Array.prototype)', 'findLast'],
  ['Object.getPrototypeOf(Uint8Array.prototype)', 'findLastIndex'],
  ['Object.getPrototypeOf(Uint8Array.prototype)', 'toSorted'],
  ['Object.getPrototypeOf(Uint8Array.prototype)', 'toReversed'],
  ['Object.getPrototypeOf(Uint8Array.prototype)', 'with'],
  ['Object', 'groupBy'],
  ['Map', 'groupBy'],
  ['Array', 'fromAsync'],
  ['Promise', 'withResolvers'],
  ['String.prototype', 'isWellFormed'],
  ['String.prototype', 'toWellFormed'],
];

export interface Sandbox {
  context: vm.Context;
  /** The context's own constructors: values handed in must come from them, or `instanceof` fails inside. */
  ArrayBuffer: ArrayBufferConstructor;
  Promise: PromiseConstructor;
  run(code: string, filename: string): unknown;
  /** Copies bytes into an ArrayBuffer of the sandbox's realm. */
  buffer(bytes: Uint8Array): ArrayBuffer;
}

export function createSandbox(globals: Record<string, unknown>): Sandbox {
  const context = vm.createContext({}, { name: 'jerrywatt-device', codeGeneration: { strings: true, wasm: false } });
  const strip = [
    ...REMOVED_GLOBALS.map((g) => `delete globalThis.${g};`),
    ...REMOVED_METHODS.map(([on, m]) => `delete (${on}).${m};`),
  ].join('\n');
  vm.runInContext(strip, context);
  for (const [k, v] of Object.entries(globals)) {
    Object.defineProperty(context, k, { value: v, enumerable: false, writable: false, configurable: false });
  }
  const AB = vm.runInContext('ArrayBuffer', context) as ArrayBufferConstructor;
  return {
    context,
    ArrayBuffer: AB,
    Promise: vm.runInContext('Promise', context) as PromiseConstructor,
    run: (code, filename) => vm.runInContext(code, context, { filename }),
    buffer(bytes) {
      const ab = new AB(bytes.length);
      new Uint8Array(ab).set(bytes);
      return ab;
    },
  };
}
