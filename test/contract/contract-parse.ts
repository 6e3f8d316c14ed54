/** Parsers for the two sides of the `native` contract: the TypeScript declaration and the C registration table. */

/** Function members of `interface Native` in bindings/native.d.ts (properties such as contractVersion excluded). */
export function declaredFunctions(dts: string): string[] {
  const start = dts.search(/export\s+interface\s+Native\s*\{/);
  if (start < 0) throw new Error('interface Native not found');
  let depth = 0;
  let end = -1;
  for (let i = dts.indexOf('{', start); i < dts.length; i++) {
    if (dts[i] === '{') depth++;
    else if (dts[i] === '}' && --depth === 0) {
      end = i;
      break;
    }
  }
  const body = dts
    .slice(dts.indexOf('{', start) + 1, end)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
  const names: string[] = [];
  // Members at nesting depth 0 of the interface body: `name(` or `name?(` or `name: (...) =>`.
  let d = 0;
  for (const line of body.split('\n')) {
    if (d === 0) {
      const m = /^\s*(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*(\(|:\s*\()/.exec(line);
      if (m) names.push(m[1]!);
    }
    for (const ch of line) d += ch === '{' ? 1 : ch === '}' ? -1 : 0;
  }
  return names;
}

export function declaredProperties(dts: string): string[] {
  return [...dts.matchAll(/^\s*readonly\s+([A-Za-z_$][\w$]*)\s*:/gm)].map((m) => m[1]!);
}

export interface CRow {
  name: string;
  fn: string;
}

/** Rows of `const jw_binding_t JW_BINDINGS[] = { {"name", fn}, ... };` in bindings/registry.c. */
export function registeredFunctions(registryC: string): CRow[] {
  const m = /JW_BINDINGS\[\]\s*=\s*\{([\s\S]*?)\n\};/.exec(registryC);
  if (!m) throw new Error('JW_BINDINGS table not found in registry.c');
  const body = m[1]!.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  return [...body.matchAll(/\{\s*"([^"]+)"\s*,\s*([A-Za-z_]\w*)\s*\}/g)].map((r) => ({ name: r[1]!, fn: r[2]! }));
}

/** Names of handlers defined with JW_HANDLER(name) { ... } across the binding sources. */
export function definedHandlers(sources: string[]): Set<string> {
  const out = new Set<string>();
  for (const s of sources) for (const m of s.matchAll(/^JW_HANDLER\((\w+)\)\s*\{/gm)) out.add(m[1]!);
  return out;
}

export interface Drift {
  missingInC: string[];
  undeclaredInC: string[];
  duplicates: string[];
  undefinedHandlers: string[];
}

export function compare(declared: string[], rows: CRow[], handlers: Set<string>): Drift {
  const names = rows.map((r) => r.name);
  return {
    missingInC: declared.filter((n) => !names.includes(n)),
    undeclaredInC: names.filter((n) => !declared.includes(n)),
    duplicates: names.filter((n, i) => names.indexOf(n) !== i),
    undefinedHandlers: rows.filter((r) => !handlers.has(r.fn)).map((r) => r.fn),
  };
}
