/**
 * A mocha root-hook plugin (.mocharc.json `require`): the wall time of every test file, printed after the run, slowest
 * first, so CI shows where its minutes go. Hooks' time counts towards the file of the test they ran around.
 */
import { relative } from 'node:path';

const started = new Map<string, number>();
const total = new Map<string, number>();
const t0 = Date.now();
let current: string | null = null;
let since = 0;

function switchTo(file: string | null): void {
  const now = Date.now();
  if (current !== null) total.set(current, (total.get(current) ?? 0) + now - since);
  current = file;
  since = now;
  if (file !== null && !started.has(file)) started.set(file, now);
}

export const mochaHooks = {
  beforeEach(this: Mocha.Context) {
    const f = this.currentTest?.file;
    if (f && f !== current) switchTo(f);
  },
  afterAll() {
    switchTo(null);
    const rows = [...total].sort((a, b) => b[1] - a[1]);
    const all = Date.now() - t0;
    const lines = rows.map(([f, ms]) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${relative(process.cwd(), f)}`);
    process.stdout.write(`\nTime per test file (wall clock, slowest first; ${(all / 1000).toFixed(0)} s in all):\n${lines.join('\n')}\n`);
  },
};
