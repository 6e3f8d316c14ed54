/**
 * One telemetry payload -> one register reading, scanned straight from the message bytes: no JSON.parse, no
 * strings, no objects, so a reading costs no heap and nothing a peer sends can make the device allocate.
 * Accepts {"register": 1006, "raw": 5012, "ts": 1767225600000} and the old names "Start register" and
 * "Raw data"; raw may be a number or a numeric string; other keys are skipped; ts is optional.
 */

export const R_OK = 0;
export const R_MALFORMED = 1;
export const R_NO_REGISTER = 2;
export const R_BAD_VALUE = 3;
export const R_BAD_TS = 4;
/** Longest payload read as a reading; the gateway's are about 50 bytes. */
export const MAX_READING_BYTES = 256;

/** Filled by parseReading (one instance, reused). ts is NaN when the payload has none. */
export interface ParsedReading {
  register: number;
  raw: number;
  ts: number;
}

const K_OTHER = 0;
const K_REG = 1;
const K_RAW = 2;
const K_TS = 3;
const KEYS: Array<[number, number[]]> = [
  [K_REG, codes('register')],
  [K_REG, codes('Start register')],
  [K_RAW, codes('raw')],
  [K_RAW, codes('Raw data')],
  [K_TS, codes('ts')],
];

function codes(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
  return out;
}

// Exact powers of ten as doubles (10^0..10^22): m / 10^k and m * 10^k are then correctly rounded (the fast
// path of decimal conversion), so this parser and Number() agree wherever it accepts a number.
const POW10: number[] = [];
for (let i = 0, p = 1; i <= 22; i++, p *= 10) POW10.push(p);

let at = 0;

function ws(b: Uint8Array, end: number): void {
  while (at < end && (b[at] === 32 || b[at] === 9 || b[at] === 10 || b[at] === 13)) at++;
}

/**
 * A decimal number at b[at..end): sign, digits, fraction, exponent. NaN when it is not one or needs more than
 * 15 significant digits or a power of ten beyond 22 (never the case for Modbus values).
 */
export function scanNumber(b: Uint8Array, end: number): number {
  let neg = false;
  if (at < end && (b[at] === 45 || b[at] === 43)) neg = b[at++] === 45;
  let m = 0;
  let digits = 0;
  let frac = 0;
  let any = false;
  while (at < end && b[at]! >= 48 && b[at]! <= 57) {
    m = m * 10 + (b[at++]! - 48);
    if (m > 0) digits++;
    any = true;
  }
  if (at < end && b[at] === 46) {
    at++;
    while (at < end && b[at]! >= 48 && b[at]! <= 57) {
      m = m * 10 + (b[at++]! - 48);
      if (m > 0) digits++;
      frac++;
      any = true;
    }
  }
  if (!any) return NaN;
  let e = 0;
  if (at < end && (b[at] === 101 || b[at] === 69)) {
    at++;
    let eneg = false;
    if (at < end && (b[at] === 45 || b[at] === 43)) eneg = b[at++] === 45;
    let ed = 0;
    while (at < end && b[at]! >= 48 && b[at]! <= 57 && ed < 4) {
      e = e * 10 + (b[at++]! - 48);
      ed++;
    }
    if (!ed) return NaN;
    if (eneg) e = -e;
  }
  e -= frac;
  if (digits > 15 || e > 22 || e < -22) return NaN;
  const v = e >= 0 ? m * POW10[e]! : m / POW10[-e]!;
  return neg ? -v : v;
}

/** A number in a whole ASCII string (host code and settings use it to read numbers as the device does). */
export function parseNumberText(s: string): number {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  at = 0;
  ws(b, b.length);
  const v = scanNumber(b, b.length);
  ws(b, b.length);
  return at === b.length ? v : NaN;
}

/** Skips a string starting at the opening quote; returns the key it matched (K_*) or -1 when unterminated. */
function scanString(b: Uint8Array, end: number): number {
  at++;
  const start = at;
  while (at < end && b[at] !== 34) at += b[at] === 92 ? 2 : 1;
  if (at >= end) return -1;
  const len = at - start;
  at++;
  for (let k = 0; k < KEYS.length; k++) {
    const c = KEYS[k]![1];
    if (c.length !== len) continue;
    let j = 0;
    while (j < len && b[start + j] === c[j]) j++;
    if (j === len) return KEYS[k]![0];
  }
  return K_OTHER;
}

/** Skips any JSON value (nested ones by bracket depth); false when malformed. */
function skipValue(b: Uint8Array, end: number): boolean {
  let depth = 0;
  do {
    ws(b, end);
    if (at >= end) return false;
    const c = b[at]!;
    if (c === 34) {
      if (scanString(b, end) < 0) return false;
    } else if (c === 123 || c === 91) {
      depth++;
      at++;
    } else if (c === 125 || c === 93) {
      if (!depth) return false;
      depth--;
      at++;
    } else if (c === 44 || c === 58) {
      if (!depth) return false;
      at++;
    } else {
      const s = at;
      while (at < end && b[at] !== 44 && b[at] !== 125 && b[at] !== 93 && b[at] !== 32) at++;
      if (at === s) return false;
    }
  } while (depth > 0);
  return true;
}

/** A number value, or a string holding exactly one number; NaN otherwise (the value is skipped). */
function numberValue(b: Uint8Array, end: number): number {
  ws(b, end);
  if (b[at] === 34) {
    const s = at + 1;
    if (scanString(b, end) < 0) return NaN;
    const close = at - 1;
    at = s;
    ws(b, close);
    const v = scanNumber(b, close);
    ws(b, close);
    const ok = at === close;
    at = close + 1;
    return ok ? v : NaN;
  }
  const s = at;
  const v = scanNumber(b, end);
  if (at < end && b[at] !== 44 && b[at] !== 125 && b[at] !== 32 && b[at] !== 10 && b[at] !== 13 && b[at] !== 9) {
    at = s;
    skipValue(b, end);
    return NaN;
  }
  return v;
}

/** Parses payload into r; returns R_OK or the R_* reason it is refused. */
export function parseReading(b: Uint8Array, r: ParsedReading): number {
  const end = b.length;
  if (end > MAX_READING_BYTES) return R_MALFORMED;
  r.register = NaN;
  r.raw = NaN;
  r.ts = NaN;
  let sawRaw = false;
  let sawTs = false;
  at = 0;
  ws(b, end);
  if (b[at] !== 123) return R_MALFORMED;
  at++;
  ws(b, end);
  if (b[at] === 125) at++;
  else
    for (;;) {
      ws(b, end);
      if (b[at] !== 34) return R_MALFORMED;
      const key = scanString(b, end);
      if (key < 0) return R_MALFORMED;
      ws(b, end);
      if (b[at] !== 58) return R_MALFORMED;
      at++;
      if (key === K_OTHER) {
        if (!skipValue(b, end)) return R_MALFORMED;
      } else {
        const v = numberValue(b, end);
        if (key === K_REG) r.register = v;
        else if (key === K_RAW) {
          r.raw = v;
          sawRaw = true;
        } else {
          r.ts = v;
          sawTs = true;
        }
      }
      ws(b, end);
      if (b[at] === 44) {
        at++;
        continue;
      }
      if (b[at] === 125) {
        at++;
        break;
      }
      return R_MALFORMED;
    }
  ws(b, end);
  if (at !== end) return R_MALFORMED;
  const reg = r.register;
  if (reg !== reg) return R_NO_REGISTER;
  if (reg < 0 || reg > 65535 || reg !== Math.floor(reg)) return R_BAD_VALUE;
  if (!sawRaw || r.raw !== r.raw) return R_BAD_VALUE;
  if (sawTs && !(r.ts >= 0)) return R_BAD_TS;
  return R_OK;
}
