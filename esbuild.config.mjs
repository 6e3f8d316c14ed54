// esbuild settings for the device bundle, and a guard that fails the build on what JerryScript 3.0 lacks
// (ENGINE_LACKS: each row is a language or runtime feature the engine does not have, with what to use instead).
// Plain JS so `node esbuild.config.mjs` works on its own.
import { builtinModules } from 'node:module';
import { readFile } from 'node:fs/promises';

/** [pattern, what the engine lacks]. Checked against sources (comments stripped) and the bundle. */
export const ENGINE_LACKS = [
  [/\(\?<[A-Za-z_$][\w$]*>/, 'RegExp named capture groups'],
  [/\(\?<[=!]/, 'RegExp lookbehind'],
  [/\bTextEncoder\b/, 'TextEncoder (use device/lib/utf8.ts)'],
  [/\bTextDecoder\b/, 'TextDecoder (use device/lib/utf8.ts)'],
  [/\bIntl\b/, 'Intl'],
  [/\bstructuredClone\b/, 'structuredClone'],
  [/\bqueueMicrotask\b/, 'queueMicrotask'],
  [/\bFinalizationRegistry\b/, 'FinalizationRegistry'],
  [/\.findLast(Index)?\s*\(/, 'Array.prototype.findLast'],
  [/\bcause\s*:/, 'Error cause'],
  [/\bconsole\s*\./, 'console (use native.log)'],
  [/\b(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval)\s*\(/, 'global timers (use native.timerStart)'],
  [/\brequire\s*\(/, 'require (Node modules)'],
  [/\bprocess\s*\./, 'process (Node)'],
  [/\bBuffer\s*\./, 'Buffer (Node)'],
  [/\bfetch\s*\(/, 'fetch'],
];

export const BUNDLE_BUDGET_BYTES = 64 * 1024;

function stripComments(src) {
  // Good enough for our own sources: block comments, then line comments not inside a string or URL.
  return src.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Removes `meaning: '...'` properties (single-quoted strings) from the settings table. */
export function stripMeanings(src) {
  return src.replace(/,\s*meaning:\s*'(?:[^'\\\n]|\\.)*'/g, '');
}

/** Returns "file:line: what" for each use of something the engine lacks. */
export function findEngineGaps(text, file) {
  const out = [];
  const lines = stripComments(text).split('\n');
  lines.forEach((line, i) => {
    for (const [re, what] of ENGINE_LACKS) if (re.test(line)) out.push(`${file}:${i + 1}: ${what} is not available on JerryScript 3.0`);
  });
  return out;
}

export const engineGuard = {
  name: 'jerryscript-engine-guard',
  setup(build) {
    const nodeBuiltins = new Set(builtinModules);
    build.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.replace(/^node:/, '');
      if (args.path.startsWith('node:') || nodeBuiltins.has(bare.split('/')[0])) {
        return { errors: [{ text: `Node module "${args.path}" is not available on the device (imported by ${args.importer})` }] };
      }
      return undefined;
    });
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
      if (args.path.includes('node_modules')) return undefined;
      const text = await readFile(args.path, 'utf8');
      const gaps = findEngineGaps(text, args.path);
      if (gaps.length) return { errors: gaps.map((text) => ({ text })) };
      // The settings table's `meaning` texts are for people and host tools (flash --help, docs), not the
      // device: dropping them saves about 4 KB of the 64 KB bundle budget.
      if (/device[\\/]settings[\\/]keys\.ts$/.test(args.path)) return { contents: stripMeanings(text), loader: 'ts' };
      return undefined;
    });
  },
};

/** The device bundle: one IIFE, es2020, minified, with a source map. */
export const deviceBuildOptions = {
  entryPoints: ['device/main.ts'],
  outfile: 'dist/device/app.js',
  bundle: true,
  format: 'iife',
  target: 'es2020',
  platform: 'neutral',
  minify: true,
  sourcemap: 'external',
  legalComments: 'none',
  metafile: true,
  logLevel: 'silent',
  // Lowered rather than refused by the engine: #private updates and static blocks (engine.md). Arrow functions are
  // lowered after esbuild by build/lower-arrows.ts (esbuild's own arrow lowering breaks derived constructors).
  supported: { 'class-private-field': false, 'class-private-method': false, 'class-static-blocks': false },
  plugins: [engineGuard],
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const esbuild = await import('esbuild');
  await esbuild.build(deviceBuildOptions);
  console.log('dist/device/app.js');
}
