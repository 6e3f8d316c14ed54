/**
 * Layers point one way: the CLI (host/cli/) uses the library, never the reverse. Every module of the tree
 * outside host/cli/ is parsed with the TypeScript compiler's own pre-processor (static imports, re-exports,
 * `import type`, dynamic `import('...')` and `require('...')`), and none may resolve into host/cli/.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { packageRoot } from '../../host/paths.ts';

const ROOT = packageRoot();
const SCANNED = ['host', 'device', 'bindings', 'build', 'bench', 'test'];
const CLI = join(ROOT, 'host', 'cli') + sep;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(m?ts|mjs|js)$/.test(d.name) && !d.name.endsWith('.d.ts'))
    .map((d) => join(d.parentPath, d.name))
    .filter((f) => !f.includes(`${sep}node_modules${sep}`));
}

/** Relative specifiers of one module, as the compiler sees them. */
export function importsOf(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.'));
}

describe('layers', () => {
  it('the import reader sees static, type-only, re-exported and dynamic imports, not comments or strings', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from './c.ts';",
      "const d = await import('./d.ts');",
      "// import { e } from './e.ts';",
      "const s = \"import { f } from './f.ts'\";",
    ].join('\n');
    assert.deepEqual(importsOf(text).sort(), ['../b.ts', './a.ts', './c.ts', './d.ts']);
  });

  it('no module outside host/cli/ imports from host/cli/', () => {
    const offenders: string[] = [];
    let scanned = 0;
    for (const dir of SCANNED) {
      for (const file of sources(dir)) {
        if (file.startsWith(CLI)) continue;
        scanned++;
        for (const spec of importsOf(readFileSync(file, 'utf8'))) {
          if (resolve(dirname(file), spec).startsWith(CLI)) offenders.push(`${relative(ROOT, file)} imports ${spec}`);
        }
      }
    }
    assert.ok(scanned > 100, `scanned only ${scanned} modules`);
    assert.deepEqual(offenders, [], `library code takes plain options and errors; the CLI turns them into commands:\n  ${offenders.join('\n  ')}`);
  });
});
