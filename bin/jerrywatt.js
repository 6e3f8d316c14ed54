#!/usr/bin/env node
// jerrywatt. Installed from the package it runs the host code compiled ahead of time (dist/js/, `npm run build`)
// with plain Node. In a git checkout it runs the TypeScript sources through tsx (a dev dependency), so tests and
// npm scripts always run what is in the tree, with no rebuild after an edit.
import { existsSync } from 'node:fs';

const source = new URL('../host/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/js/host/cli/main.js');
}
