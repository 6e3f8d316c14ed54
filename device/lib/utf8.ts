/** UTF-8 without TextEncoder/TextDecoder, which JerryScript 3.0 lacks. */

export function utf8Encode(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

/**
 * Decodes at most `maxBytes` bytes; returns null for invalid UTF-8 (binary junk on a text topic), so callers
 * can report it instead of acting on mangled text.
 */
export function utf8Decode(bytes: Uint8Array, maxBytes = bytes.length): string | null {
  const end = Math.min(bytes.length, maxBytes);
  let s = '';
  for (let i = 0; i < end; ) {
    const b = bytes[i++]!;
    let c: number;
    let extra: number;
    if (b < 0x80) {
      s += String.fromCharCode(b);
      continue;
    } else if (b >= 0xc2 && b < 0xe0) {
      c = b & 31;
      extra = 1;
    } else if (b >= 0xe0 && b < 0xf0) {
      c = b & 15;
      extra = 2;
    } else if (b >= 0xf0 && b < 0xf5) {
      c = b & 7;
      extra = 3;
    } else return null;
    if (i + extra > end) return null;
    for (let k = 0; k < extra; k++) {
      const n = bytes[i++]!;
      if ((n & 0xc0) !== 0x80) return null;
      c = (c << 6) | (n & 63);
    }
    if ((extra === 2 && c < 0x800) || (extra === 3 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c < 0xe000)) return null;
    s += String.fromCodePoint(c);
  }
  return s;
}
