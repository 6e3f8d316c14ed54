/**
 * Neutralises text that a peer (a device, a meter, anyone on the broker) chose, before it reaches a terminal,
 * a log or a CSV cell. Pure.
 * - Terminal and log: every control character (C0, DEL, C1, so ESC and CSI sequences and BEL too) and the
 *   Unicode bidi/format controls that reorder or hide text become visible `\xNN`/`\uNNNN` escapes, so a
 *   peer can neither repaint the screen, set the window title, nor forge a log line with a newline.
 * - CSV: the same escapes, and a text cell starting with `=`, `+`, `-`, `@` (or a tab/CR, per OWASP) gets a
 *   leading `'` so a spreadsheet reads it as text, not as a formula. Numbers never pass through here, so
 *   negative readings stay numbers.
 */

import { isControl, isPrintable, printable } from '../../device/lib/printable.ts';

/** The device's own neutraliser (one definition for both sides). */
export { isPrintable, printable };

/** Any value a peer sent (a JSON field of unknown type), as printable text. */
export function printableValue(v: unknown): string {
  return printable(typeof v === 'string' ? v : v === undefined ? '' : typeof v === 'object' && v !== null ? safeJson(v) : String(v));
}

function safeJson(v: object): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '[unprintable]';
  }
}

/** First characters that make a spreadsheet evaluate a cell (OWASP CSV injection). */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

/** A peer's text for a CSV cell: control characters escaped, a formula start defused with a leading `'`. */
export function csvText(s: string): string {
  const p = printable(s);
  // printable() already escaped tab and CR, so only =, +, -, @ can still start the cell.
  return FORMULA_START.has(p.charAt(0)) ? `'${p}` : p;
}

/** JSON text with every control character escaped as `\uNNNN` (JSON.stringify leaves DEL, C1 and bidi raw). */
export function printableJson(v: unknown): string {
  const s = JSON.stringify(v) ?? 'null';
  if (isPrintable(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += isControl(c) ? `\\u${c.toString(16).padStart(4, '0')}` : s[i];
  }
  return out;
}
