/**
 * Maps a device stack trace back to TypeScript. Two frame kinds reach it (docs/engine.md, "Reading a crash"):
 *  - "app.js:LINE:COLUMN" (a source image keeps line info): becomes "device/x.ts:LINE:COLUMN (app.js:L:C)";
 *  - "fn NAME (app.js)" (a static snapshot keeps none; the runtime names the function at the throw): becomes
 *    "NAME device/x.ts:LINE (app.js)", the line where that function starts, or every candidate when the minified
 *    bundle defines that name more than once.
 * Other text passes through.
 */
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type RawSourceMap } from './sourcemap.ts';

const FRAME = /(?:[\w./-]*\/)?app\.js:(\d+):(\d+)/g;
const FN_FRAME = /\bfn ([\w$?]+) \(app\.js\)/g;

export interface TraceMap {
  map: SourceMap;
  /** Function name in the bundle -> where each function of that name starts in the bundle (1-based). */
  functions?: Map<string, { line: number; column: number }[]>;
}

/** The source map, and when the bundle sits beside it (app.js next to app.js.map), its functions by name. */
export function loadMap(path: string, bundlePath = path.replace(/\.map$/, '')): TraceMap {
  const map = new SourceMap(JSON.parse(readFileSync(path, 'utf8')) as RawSourceMap);
  return { map, functions: bundlePath !== path && existsSync(bundlePath) ? functionIndex(readFileSync(bundlePath, 'utf8')) : undefined };
}

/** The name the engine gives each function (ES function name inference, as far as the bundle needs it). */
export function functionIndex(code: string): Map<string, { line: number; column: number }[]> {
  const out = new Map<string, { line: number; column: number }[]>();
  const add = (name: string | undefined, fn: acorn.Node) => {
    if (!name) return;
    const list = out.get(name) ?? [];
    list.push({ line: fn.loc!.start.line, column: fn.loc!.start.column + 1 });
    out.set(name, list);
  };
  const keyName = (k: acorn.Node): string | undefined => (k.type === 'Identifier' ? (k as acorn.Identifier).name : k.type === 'Literal' ? String((k as acorn.Literal).value) : undefined);
  walk.fullAncestor(acorn.parse(code, { ecmaVersion: 2022, sourceType: 'script', locations: true }), (n, _s, anc) => {
    if (n.type !== 'FunctionDeclaration' && n.type !== 'FunctionExpression') return;
    const f = n as acorn.Function;
    if (f.id) return add(f.id.name, n);
    const parent = anc[anc.length - 2];
    if (!parent) return;
    if ((parent.type === 'MethodDefinition' || parent.type === 'Property') && (parent as acorn.Property).value === n) return add(keyName((parent as acorn.Property).key), n);
    if (parent.type === 'VariableDeclarator' && (parent as acorn.VariableDeclarator).id.type === 'Identifier') return add(((parent as acorn.VariableDeclarator).id as acorn.Identifier).name, n);
    if (parent.type === 'AssignmentExpression' && (parent as acorn.AssignmentExpression).left.type === 'Identifier') return add(((parent as acorn.AssignmentExpression).left as acorn.Identifier).name, n);
  });
  return out;
}

export function traceText(text: string, tm: TraceMap | SourceMap): string {
  const { map, functions } = tm instanceof SourceMap ? { map: tm, functions: undefined } : tm;
  const located = text.replace(FRAME, (whole, l: string, c: string) => {
    const o = map.lookup(Number(l), Number(c));
    if (!o) return whole;
    const src = o.source.replace(/^(\.\.\/)+/, '');
    return `${src}:${o.line}:${o.column}${o.name ? ` ${o.name}` : ''} (${whole})`;
  });
  if (!functions) return located;
  return located.replace(FN_FRAME, (whole, name: string) => {
    const defs = functions.get(name);
    if (!defs?.length) return whole;
    const places = defs.map((d) => map.lookup(d.line, d.column)).filter((o) => o !== null).map((o) => `${o!.source.replace(/^(\.\.\/)+/, '')}:${o!.line}`);
    return places.length ? `${name} ${[...new Set(places)].join(' | ')} (app.js)` : whole;
  });
}
