/**
 * Arrow functions become plain functions in the final bundle: JerryScript 3.0 runs arrows from a STATIC snapshot
 * wrong (it reads their code pointer at the wrong offset and the GC frees them with the wrong size), and the app
 * runs from a static snapshot (docs/engine.md). An arrow that uses `this` becomes `function(){...}.bind(this)`;
 * one that does not becomes a plain function expression. esbuild's own lowering (`supported: {arrow: false}`) is
 * not used: it reads `this` before `super()` in derived constructors and leaves `_this` unbound in class fields.
 *
 * Innermost arrows first, one pass per nesting level; every change is a small insertion or replacement so the
 * source map moves with it (applyEdits).
 */
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import { applyEdits, type Edit, StaticLiteralError } from './static-literals.ts';

type Arrow = acorn.ArrowFunctionExpression;

function parse(code: string): acorn.Program {
  return acorn.parse(code, { ecmaVersion: 2022, sourceType: 'script', locations: true });
}

/** Walks a function body without entering nested non-arrow functions (their `this` is their own). */
function lexicalUses(body: acorn.Node): { thisOrSuper: boolean; arguments: boolean; newTarget: boolean } {
  const found = { thisOrSuper: false, arguments: false, newTarget: false };
  const visit = (n: acorn.Node | null | undefined): void => {
    if (!n || typeof n !== 'object') return;
    switch (n.type) {
      case 'FunctionExpression':
      case 'FunctionDeclaration':
        return;
      case 'MethodDefinition':
      case 'PropertyDefinition': {
        const m = n as acorn.MethodDefinition;
        if (m.computed) visit(m.key);
        return;
      }
      case 'ThisExpression':
      case 'Super':
        found.thisOrSuper = true;
        return;
      case 'MetaProperty':
        found.newTarget = true;
        return;
      case 'Identifier':
        if ((n as acorn.Identifier).name === 'arguments') found.arguments = true;
        return;
    }
    for (const [k, v] of Object.entries(n)) {
      if (k === 'loc' || k === 'start' || k === 'end' || k === 'type') continue;
      if (Array.isArray(v)) v.forEach((c) => c && typeof c.type === 'string' && visit(c));
      else if (v && typeof v === 'object' && typeof (v as acorn.Node).type === 'string') visit(v as acorn.Node);
    }
  };
  visit(body);
  return found;
}

function containsArrow(n: acorn.Node): boolean {
  let found = false;
  walk.full(n, (c) => {
    if (c !== n && c.type === 'ArrowFunctionExpression') found = true;
  });
  return found;
}

function editsFor(code: string, a: Arrow, inSuperCall: boolean): Edit[] {
  const edits: Edit[] = [];
  const uses = lexicalUses(a.body);
  const where = `app.js:${a.loc!.start.line}:${a.loc!.start.column + 1}`;
  if (uses.arguments) throw new StaticLiteralError(`${where}: an arrow function uses the enclosing \`arguments\`; write a rest parameter`);
  if (uses.newTarget) throw new StaticLiteralError(`${where}: an arrow function uses new.target`);
  if (uses.thisOrSuper && inSuperCall) throw new StaticLiteralError(`${where}: an arrow function using \`this\` inside super(...) arguments cannot be bound before super() returns; pass the value instead`);
  const headEnd = a.params.length ? a.params[a.params.length - 1]!.end : a.start;
  const arrowAt = code.indexOf('=>', headEnd);
  if (arrowAt < 0 || arrowAt > a.body.start) throw new StaticLiteralError(`${where}: cannot find => of an arrow function`);
  // Head: `async`? then `(params)` or a single bare identifier.
  if (a.async) edits.push({ start: a.start, end: a.start + 5, text: '(async function' });
  else edits.push({ start: a.start, end: a.start, text: '(function' });
  const first = a.params[0];
  const bare = a.params.length === 1 && first!.type === 'Identifier' && code.lastIndexOf('(', first!.start) < a.start + (a.async ? 5 : 0);
  if (bare) {
    edits.push({ start: first!.start, end: first!.start, text: '(' });
    edits.push({ start: first!.end, end: first!.end, text: ')' });
  } else if (a.params.length === 0 && !/^\s*(async\s*)?\(/.test(code.slice(a.start, arrowAt))) {
    throw new StaticLiteralError(`${where}: unexpected arrow head`);
  }
  const expression = a.body.type !== 'BlockStatement';
  edits.push({ start: arrowAt, end: arrowAt + 2, text: expression ? '{return ' : '' });
  edits.push({ start: a.end, end: a.end, text: `${expression ? '}' : ''})${uses.thisOrSuper ? '.bind(this)' : ''}` });
  return edits;
}

export interface LowerResult {
  code: string;
  map?: string;
  arrows: number;
  bound: number;
}

export function lowerArrows(code: string, map?: string): LowerResult {
  let arrows = 0;
  let bound = 0;
  for (let pass = 0; pass < 64; pass++) {
    const leaves: { a: Arrow; inSuper: boolean }[] = [];
    walk.fullAncestor(parse(code), (n, _s, ancestors) => {
      if (n.type !== 'ArrowFunctionExpression' || containsArrow(n)) return;
      const inSuper = ancestors.some((p) => p.type === 'CallExpression' && (p as acorn.CallExpression).callee.type === 'Super');
      leaves.push({ a: n as Arrow, inSuper });
    });
    if (leaves.length === 0) return { code, map, arrows, bound };
    const edits = leaves.flatMap((l) => editsFor(code, l.a, l.inSuper));
    arrows += leaves.length;
    bound += edits.filter((e) => e.text.endsWith('.bind(this)')).length;
    ({ code, map } = applyEdits(code, map, edits));
  }
  throw new StaticLiteralError('arrow functions nested more than 64 deep');
}
