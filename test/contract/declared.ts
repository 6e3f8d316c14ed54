/**
 * The names the contract declares: members of `interface Native` in bindings/native.d.ts, read with the
 * TypeScript parser. Both implementations are checked against this list (host/sim by test/spine, the C glue
 * by test/contract). Test-only code: it reads the declaration with the TypeScript compiler API.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const NATIVE_DTS = fileURLToPath(new URL('../../bindings/native.d.ts', import.meta.url));

export interface DeclaredMember {
  name: string;
  kind: 'function' | 'value';
}

export function declaredNativeMembers(path = NATIVE_DTS): DeclaredMember[] {
  const src = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2020, true);
  const out: DeclaredMember[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'Native') {
      for (const m of node.members) {
        if (!m.name || !ts.isIdentifier(m.name)) continue;
        out.push({ name: m.name.text, kind: ts.isMethodSignature(m) ? 'function' : 'value' });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  if (out.length === 0) throw new Error(`${path}: no interface Native found`);
  return out;
}
