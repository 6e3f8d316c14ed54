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

/** U+2028/2029 (line breaks), U+200E/F, U+202A-202E, U+2066-2069 (bidi), U+FEFF (BOM). */
function isFormatControl(c: number): boolean {
  return c === 0x2028 || c === 0x2029 || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff;
}

function isControl(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || isFormatControl(c);
}

function escapeCode(c: number): string {
  return c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
}

/** True when the text holds nothing `printable` would change. */
export function isPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isControl(s.charCodeAt(i))) return false;
  return true;
}

/** `s` with every control character escaped: safe to print on one terminal line or one log line. */
export function printable(s: string): string {
  if (isPrintable(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += isControl(c) ? escapeCode(c) : s[i];
  }
  return out;
}

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
