/**
 * What a JerryScript 3.0 STATIC snapshot refuses, rewritten in the final bundle so the app can run in place from
 * flash: its constant literals must be small integers (the engine's direct numbers, -2^27 .. 2^27-1), simple
 * values or magic strings (the strings are registered as magic strings, build/snapshot.ts). So:
 *  - a RegExp literal /p/f becomes (new RegExp("p","f")) (same semantics: a new object per evaluation);
 *  - a number outside the direct range becomes arithmetic on direct numbers: 4294967295 -> (63*67108864+67108863),
 *    0.001 -> (1/1000);
 *  - anything else left (BigInt literals, numbers that cannot be written exactly) fails the build.
 * The rewrite runs after esbuild (whose minifier would fold the arithmetic back), on the final text, and shifts
 * the source map's generated columns to match.
 */
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';

/** The engine's direct integers (jerry-core/ecma/base/ecma-globals.h, 32-bit values). */
export const DIRECT_INT_MAX = 0x7ffffff;
const SPLIT = 67108864; // 2^26

export class StaticLiteralError extends Error {}

function isDirect(v: number): boolean {
  return Number.isInteger(v) && !Object.is(v, -0) && v >= 0 && v <= DIRECT_INT_MAX;
}

/** An expression of direct integers whose value is exactly v (v >= 0, as number tokens are). */
export function exactExpression(v: number): string {
  if (isDirect(v)) return String(v);
  if (Number.isInteger(v)) {
    if (v > Number.MAX_SAFE_INTEGER) {
      // v = m * 2^k with m odd (every double this large is): multiplying by powers of two is exact.
      let m = v;
      let k = 0;
      while (m > Number.MAX_SAFE_INTEGER || (m % 2 === 0 && k < 1100)) {
        m /= 2;
        k++;
      }
      const factors = [exactExpression(m)];
      for (; k > 0; k -= Math.min(k, 26)) factors.push(String(2 ** Math.min(k, 26)));
      return `(${factors.join('*')})`;
    }
    const hi = Math.floor(v / SPLIT);
    const lo = v - hi * SPLIT;
    return `(${exactExpression(hi)}*${SPLIT}+${lo})`;
  }
  if (!Number.isFinite(v)) throw new StaticLiteralError(`number ${v} cannot be a literal`);
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(v));
  if (!m) throw new StaticLiteralError(`number ${v} has no decimal form`);
  const digits = Number((m[1]! + (m[2] ?? '')).replace(/^0+(?=\d)/, ''));
  const exp = Number(m[3] ?? 0) - (m[2]?.length ?? 0);
  if (exp >= 0) return exactExpression(digits * 10 ** exp);
  // digits / 10^k with both exact: IEEE division rounds once, to the same double as the decimal literal.
  if (digits > Number.MAX_SAFE_INTEGER || -exp > 15) throw new StaticLiteralError(`number ${v} cannot be written exactly from small integers`);
  const out = `(${exactExpression(digits)}/${exactExpression(10 ** -exp)})`;
  if (Function(`return ${out}`)() !== v) throw new StaticLiteralError(`number ${v}: ${out} is not exact`);
  return out;
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface RewriteResult {
  code: string;
  /** The source map with generated columns shifted, or undefined when none was given. */
  map?: string;
  regexps: number;
  numbers: number;
}

/** Rewrites what a static snapshot refuses; throws StaticLiteralError (with the bundle position) on the rest. */
export function rewriteForStaticSnapshot(code: string, map?: string): RewriteResult {
  const ast = acorn.parse(code, { ecmaVersion: 2022, sourceType: 'script', locations: true });
  const edits: Edit[] = [];
  let regexps = 0;
  let numbers = 0;
  const problems: string[] = [];
  walk.fullAncestor(ast, (node, _state, ancestors) => {
    if (node.type !== 'Literal') return;
    const lit = node as acorn.Literal;
    const parent = ancestors[ancestors.length - 2] as acorn.Node | undefined;
    const isKey = parent && (parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition')
      && (parent as acorn.Property).key === lit && !(parent as acorn.Property).computed;
    const where = `app.js:${lit.loc!.start.line}:${lit.loc!.start.column + 1}`;
    if (lit.regex) {
      if (isKey) return;
      edits.push({ start: lit.start, end: lit.end, text: `(new RegExp(${JSON.stringify(lit.regex.pattern)}${lit.regex.flags ? `,${JSON.stringify(lit.regex.flags)}` : ''}))` });
      regexps++;
    } else if (typeof lit.value === 'bigint' || lit.bigint !== undefined) {
      problems.push(`${where}: BigInt literal ${lit.raw} (a static snapshot cannot hold it; use BigInt("…"))`);
    } else if (typeof lit.value === 'number' && !isDirect(lit.value) && !isKey) {
      try {
        edits.push({ start: lit.start, end: lit.end, text: exactExpression(lit.value) });
        numbers++;
      } catch (e) {
        problems.push(`${where}: ${(e as Error).message}`);
      }
    }
  });
  if (problems.length) throw new StaticLiteralError(`literals a static snapshot refuses:\n  ${problems.join('\n  ')}`);
  return { ...applyEdits(code, map, edits), regexps, numbers };
}

/**
 * Async functions and generators cannot run from a static snapshot in read-only flash: JerryScript 3.0 writes a
 * reference count into their byte code header whenever one starts (vm/opcodes.c opfunc_create_executable_object
 * calls ecma_bytecode_ref without the static-function check the other callers have): SIGSEGV on the host twin,
 * a cache fault on the ESP32. The device app uses Promises and callbacks instead; this keeps it that way.
 */
export function refuseExecutableFunctions(code: string): void {
  const found: string[] = [];
  walk.full(acorn.parse(code, { ecmaVersion: 2022, sourceType: 'script', locations: true }), (n) => {
    const f = n as acorn.Function;
    if ((n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') && (f.async || f.generator))
      found.push(`app.js:${n.loc!.start.line}:${n.loc!.start.column + 1}: ${f.async ? 'async function' : 'generator'}`);
  });
  if (found.length) throw new StaticLiteralError(`async functions and generators cannot run in place from flash (JerryScript 3.0 writes into their byte code; docs/engine.md): use Promises or callbacks\n  ${found.join('\n  ')}`);
}

/** Applies non-overlapping edits to the text and moves the source map's generated columns with them. */
export function applyEdits(code: string, map: string | undefined, edits: Edit[]): { code: string; map?: string } {
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += code.slice(at, e.start) + e.text;
    at = e.end;
  }
  out += code.slice(at);
  return { code: out, map: map === undefined ? undefined : shiftMap(map, code, edits) };
}

// --- source map columns ----------------------------------------------------------------------------------
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(s: string): number[] {
  const out: number[] = [];
  let v = 0;
  let shift = 0;
  for (const ch of s) {
    const d = B64.indexOf(ch);
    v += (d & 31) << shift;
    if (d & 32) shift += 5;
    else {
      out.push(v & 1 ? -(v >>> 1) : v >>> 1);
      v = 0;
      shift = 0;
    }
  }
  return out;
}

function encodeVlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let s = '';
  do {
    let d = v & 31;
    v >>>= 5;
    if (v) d |= 32;
    s += B64[d];
  } while (v);
  return s;
}

/** Generated columns at or after an edit move by the edit's length change (edits on one line accumulate). */
export function shiftMap(mapJson: string, code: string, edits: Edit[]): string {
  if (edits.length === 0) return mapJson;
  const map = JSON.parse(mapJson) as { mappings: string };
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (pos: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const byLine = new Map<number, { col: number; delta: number; endCol: number }[]>();
  for (const e of edits) {
    const line = lineOf(e.start);
    const list = byLine.get(line) ?? [];
    list.push({ col: e.start - lineStarts[line]!, endCol: e.end - lineStarts[line]!, delta: e.text.length - (e.end - e.start) });
    byLine.set(line, list);
  }
  const lines = map.mappings.split(';');
  for (const [line, list] of byLine) {
    if (line >= lines.length || !lines[line]) continue;
    let col = 0;
    let prevOut = 0;
    const segs = lines[line]!.split(',').map((seg) => {
      const f = decodeVlq(seg);
      col += f[0]!;
      let shifted = col;
      for (const e of list) if (col >= e.endCol) shifted += e.delta;
      const out = encodeVlq(shifted - prevOut) + f.slice(1).map(encodeVlq).join('');
      prevOut = shifted;
      return out;
    });
    lines[line] = segs.join(',');
  }
  map.mappings = lines.join(';');
  return JSON.stringify(map);
}
