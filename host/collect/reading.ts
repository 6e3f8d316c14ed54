/**
 * One telemetry message -> one register reading, or the reason it is refused. Pure: no I/O.
 * Payload: JSON {"register": 1006, "raw": 5012, "ts": 1767225600000}; the old prototype's field names
 * "Start register" and "Raw data" are accepted too. The meter comes from the topic.
 */

export interface Reading {
  meter: string;
  register: number;
  /** As sent (a number, or a numeric string kept verbatim so no precision is lost). */
  raw: string;
  /** As sent (ms since the epoch for our gateways); empty when the payload had none. */
  ts: string;
}

export type BadReason = 'too-large' | 'not-json' | 'not-an-object' | 'no-register' | 'bad-register' | 'no-raw' | 'bad-raw' | 'bad-ts' | 'no-meter';

export type ParseResult = { ok: true; reading: Reading } | { ok: false; reason: BadReason; detail: string };

export const MAX_PAYLOAD_BYTES = 16 * 1024;

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

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

function field(o: Record<string, unknown>, modern: string, legacy: string): unknown {
  return o[modern] !== undefined ? o[modern] : o[legacy];
}

export function parseReading(pattern: string, topic: string, payload: Uint8Array): ParseResult {
  if (payload.length > MAX_PAYLOAD_BYTES) return { ok: false, reason: 'too-large', detail: `${payload.length} bytes` };
  const meter = meterFromTopic(pattern, topic);
  if (meter === null) return { ok: false, reason: 'no-meter', detail: `topic ${topic}` };
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.length).toString('utf8'));
  } catch (err) {
    return { ok: false, reason: 'not-json', detail: (err as Error).message };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, reason: 'not-an-object', detail: typeof body };
  const o = body as Record<string, unknown>;

  const reg = field(o, 'register', 'Start register');
  if (reg === undefined || reg === null) return { ok: false, reason: 'no-register', detail: 'missing "register"' };
  const regNum = typeof reg === 'string' && /^\d+$/.test(reg) ? Number(reg) : reg;
  if (typeof regNum !== 'number' || !Number.isInteger(regNum) || regNum < 0 || regNum > 65535) {
    return { ok: false, reason: 'bad-register', detail: JSON.stringify(reg).slice(0, 40) };
  }

  const raw = field(o, 'raw', 'Raw data');
  if (raw === undefined || raw === null) return { ok: false, reason: 'no-raw', detail: 'missing "raw"' };
  let rawText: string;
  if (typeof raw === 'number' && Number.isFinite(raw)) rawText = String(raw);
  else if (typeof raw === 'string' && NUMERIC.test(raw.trim())) rawText = raw.trim();
  else return { ok: false, reason: 'bad-raw', detail: JSON.stringify(raw).slice(0, 40) };

  const ts = o.ts;
  let tsText = '';
  if (typeof ts === 'number' && Number.isFinite(ts)) tsText = String(ts);
  else if (typeof ts === 'string' && ts.length > 0 && ts.length <= 40 && !/[\r\n]/.test(ts)) tsText = ts;
  else if (ts !== undefined && ts !== null) return { ok: false, reason: 'bad-ts', detail: JSON.stringify(ts).slice(0, 40) };

  return { ok: true, reading: { meter, register: regNum, raw: rawText, ts: tsText } };
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
