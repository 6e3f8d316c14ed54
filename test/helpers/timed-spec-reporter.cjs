/**
 * mocha's spec reporter, plus the wall time of every test file after the run (slowest first), so CI shows where its
 * minutes go. A file's time runs from its first top-level suite's start to its last one's end, hooks included.
 * Plain CommonJS: mocha loads reporters with require().
 */
'use strict';
const { relative } = require('node:path');
const Mocha = require('mocha');

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_RUN_END } = Mocha.Runner.constants;

class TimedSpec extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const started = new Map();
    const total = new Map();
    const t0 = Date.now();
    runner.on(EVENT_SUITE_BEGIN, (s) => {
      if (s.file && s.parent && s.parent.root) started.set(s, Date.now());
    });
    runner.on(EVENT_SUITE_END, (s) => {
      const t = started.get(s);
      if (t !== undefined) total.set(s.file, (total.get(s.file) || 0) + Date.now() - t);
    });
    runner.once(EVENT_RUN_END, () => {
      const rows = [...total].sort((a, b) => b[1] - a[1]);
      const lines = rows.map(([f, ms]) => `${(ms / 1000).toFixed(1).padStart(7)} s  ${relative(process.cwd(), f)}`);
      process.stdout.write(`\nTime per test file (wall clock, slowest first; ${((Date.now() - t0) / 1000).toFixed(0)} s in all):\n${lines.join('\n')}\n`);
    });
  }
}

module.exports = TimedSpec;
