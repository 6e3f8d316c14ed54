/**
 * Peer text made safe to show: control characters (C0, DEL, C1) become visible escapes and the length is bounded.
 * The page only ever sets textContent, so this is about legibility and size, not markup.
 */
export function printable(s: string, max: number): string {
  let out = '';
  for (let i = 0; i < s.length && out.length < max; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += c === 0x1b ? '\\e' : `\\x${c.toString(16).padStart(2, '0')}`;
    else out += s[i];
  }
  return out.length >= max && s.length > max ? out.slice(0, max - 1) + '…' : out;
}
