import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository (or installed package) root, whatever the working directory. */
export function repoRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}

export function distPath(...parts: string[]): string {
  return join(repoRoot(), 'dist', ...parts);
}
