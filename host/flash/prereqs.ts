/** What `jerrywatt flash` needs before it runs anything, each with how to get it. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface Problem {
  what: string;
  fix: string;
}

export interface PrereqInput {
  env: NodeJS.ProcessEnv;
  port?: string;
  /** --app-only needs neither JerryScript nor a firmware build. */
  appOnly: boolean;
  /** --dry-run does not touch the port, so a missing one is not a problem. */
  dryRun: boolean;
}

export function checkPrereqs(i: PrereqInput): Problem[] {
  const problems: Problem[] = [];
  const idf = i.env.IDF_PATH;
  if (!idf) {
    problems.push({ what: 'IDF_PATH is not set (ESP-IDF v5.1.2 or later 5.x)', fix: 'install ESP-IDF v5.2.2 and run `. $HOME/esp/esp-idf/export.sh` (docs/firmware.md)' });
  } else if (!existsSync(join(idf, 'tools', 'idf.py'))) {
    problems.push({ what: `IDF_PATH=${idf} has no tools/idf.py`, fix: 'point IDF_PATH at an ESP-IDF v5.2.2 checkout (docs/firmware.md)' });
  }
  if (!i.appOnly) {
    const jp = i.env.JERRYSCRIPT_PATH;
    if (!jp) {
      problems.push({ what: 'JERRYSCRIPT_PATH is not set (JerryScript v3.0.0)', fix: 'git clone --branch v3.0.0 https://github.com/jerryscript-project/jerryscript and export JERRYSCRIPT_PATH=<that dir>' });
    } else if (!existsSync(join(jp, 'jerry-core', 'include', 'jerryscript.h'))) {
      problems.push({ what: `JERRYSCRIPT_PATH=${jp} is not a JerryScript checkout (no jerry-core/include/jerryscript.h)`, fix: 'point JERRYSCRIPT_PATH at a JerryScript v3.0.0 checkout' });
    }
  }
  if (!i.port) {
    problems.push({ what: 'no serial port given', fix: 'add --port /dev/ttyUSB0 (Linux), /dev/cu.usbserial-* (macOS) or COM3 (Windows)' });
  } else if (!i.dryRun && !i.port.startsWith('COM') && !existsSync(i.port)) {
    problems.push({ what: `serial port ${i.port} does not exist`, fix: 'plug the board in; on Linux add yourself to the dialout group' });
  }
  return problems;
}

export function formatProblems(problems: Problem[]): string {
  return `cannot flash, missing prerequisites:\n${problems.map((p) => `  - ${p.what}\n    how: ${p.fix}`).join('\n')}`;
}
