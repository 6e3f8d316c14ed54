/**
 * Where the package lives, whatever the working directory: the git checkout (host code run from source by
 * tsx) or an installed package (host code compiled into dist/js/). Both hold package.json at the root.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory that holds jerrywatt's package.json. */
export function packageRoot(): string {
  if (root === undefined) {
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, 'package.json'))) {
      const up = dirname(dir);
      if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
      dir = up;
    }
    root = dir;
  }
  return root;
}

/** A path under the package's dist/ (device bundle and image, engine builds, compiled host code). */
export function distPath(...parts: string[]): string {
  return join(packageRoot(), 'dist', ...parts);
}
