/**
 * One telemetry message -> one register reading, or the reason it is refused. Pure: no I/O.
 * The numbers are read by the device's own parser (device/meter/reading.ts), so collect accepts and refuses
 * exactly the payloads a device does: {"register": 1006, "raw": 5012, "ts": 1767225600000}, the old names
 * "Start register" and "Raw data", raw as a number or a numeric string, ts optional, at most 256 bytes.
 * The meter comes from the topic.
 */
import { MAX_READING_BYTES, R_BAD_TS, R_MALFORMED, R_NO_REGISTER, R_OK, parseReading as parseDeviceReading, type ParsedReading } from '../../device/meter/reading.ts';

export interface Reading {
  meter: string;
  register: number;
  /**
   * The value as text. The device parser accepts at most 15 significant digits, which a double holds exactly,
   * so String(number) loses nothing (it may normalise the form: "2301.50" -> "2301.5", "1e3" -> "1000").
   */
  raw: string;
  /** ms since the epoch, as text; empty when the payload had none. */
  ts: string;
}

export type BadReason = 'too-large' | 'malformed' | 'no-register' | 'bad-register' | 'bad-raw' | 'bad-ts' | 'no-meter';

export type ParseResult = { ok: true; reading: Reading } | { ok: false; reason: BadReason; detail: string };

/** The device's limit: a longer payload is refused by both. */
export const MAX_PAYLOAD_BYTES = MAX_READING_BYTES;

/**
 * The meter is the topic level under the first `+` of the subscription pattern (`esp/+/modbus` -> level 1);
 * with no `+`, the whole topic.
 */
export function meterFromTopic(pattern: string, topic: string): string | null {
  const p = pattern.split('/');
  const t = topic.split('/');
  const at = p.indexOf('+');
  if (at < 0) return topic;
  const m = t[at];
  return m === undefined || m === '' ? null : m;
}

/** The start of a payload, printable, for a report. */
function snippet(payload: Uint8Array): string {
  return JSON.stringify(Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.length, 40)).toString('latin1'));
}

// One instance, reused (the device parser fills it in place).
const parsed: ParsedReading = { register: NaN, raw: NaN, ts: NaN };

export function parseReading(pattern: string, topic: string, payload: Uint8Array): ParseResult {
  if (payload.length > MAX_PAYLOAD_BYTES) return { ok: false, reason: 'too-large', detail: `${payload.length} bytes (at most ${MAX_PAYLOAD_BYTES})` };
  const meter = meterFromTopic(pattern, topic);
  if (meter === null) return { ok: false, reason: 'no-meter', detail: `topic ${topic}` };
  const code = parseDeviceReading(payload, parsed);
  if (code !== R_OK) {
    if (code === R_MALFORMED) return { ok: false, reason: 'malformed', detail: `not a JSON object of numbers: ${snippet(payload)}` };
    if (code === R_NO_REGISTER) return { ok: false, reason: 'no-register', detail: `no numeric "register": ${snippet(payload)}` };
    if (code === R_BAD_TS) return { ok: false, reason: 'bad-ts', detail: `"ts" is not a number >= 0 (ms): ${snippet(payload)}` };
    const reg = parsed.register;
    if (!(reg >= 0 && reg <= 65535 && reg === Math.floor(reg))) return { ok: false, reason: 'bad-register', detail: `register ${reg} is not 0..65535` };
    return { ok: false, reason: 'bad-raw', detail: `missing or non-numeric "raw": ${snippet(payload)}` };
  }
  const ts = parsed.ts;
  return { ok: true, reading: { meter, register: parsed.register, raw: String(parsed.raw), ts: ts === ts ? String(ts) : '' } };
}

/** MQTT topic filter match (`+` one level, `#` the rest). */
export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split('/');
  const t = topic.split('/');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= t.length) return false;
    if (p[i] !== '+' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}
