/**
 * Text a peer chose, made safe to print: every control character (C0, DEL, C1, so ESC/CSI sequences and BEL)
 * and the Unicode bidi and line-separator controls become visible `\xNN` / `\uNNNN` escapes. Used by the device
 * before it logs (its serial log reaches an operator's terminal) and by the host (host/text/sanitize.ts).
 * Pure and engine-safe: char codes, no RegExp.
 */

/** U+2028/2029 (line breaks), U+200E/F, U+202A-202E, U+2066-2069 (bidi), U+FEFF (BOM). */
function isFormatControl(c: number): boolean {
  return c === 0x2028 || c === 0x2029 || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff;
}

export function isControl(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || isFormatControl(c);
}

/** True when the text holds nothing `printable` would change. */
export function isPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isControl(s.charCodeAt(i))) return false;
  return true;
}

/** `s` with every control character escaped: safe on one terminal line or one log line. */
export function printable(s: string): string {
  if (isPrintable(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isControl(c)) out += s.charAt(i);
    else if (c <= 0xff) out += '\\x' + (c < 16 ? '0' : '') + c.toString(16);
    else out += '\\u' + ('000' + c.toString(16)).slice(-4);
  }
  return out;
}
