/**
 * Fuzz: Modbus readings as the device scans them from the message bytes (device/meter/reading.ts) and as collect
 * reads them (host/collect/reading.ts, the same parser plus the topic).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_READING_BYTES, R_BAD_TS, R_BAD_VALUE, R_MALFORMED, R_NO_REGISTER, R_OK, parseNumberText, parseReading, type ParsedReading } from '../../device/meter/reading.ts';
import { parseReading as collectReading } from '../../host/collect/reading.ts';
import { bytesAround, enc, fuzz, trickyJson } from './harness.ts';

const CODES = [R_OK, R_MALFORMED, R_NO_REGISTER, R_BAD_VALUE, R_BAD_TS];
const REASONS = new Set(['too-large', 'malformed', 'no-register', 'bad-register', 'bad-raw', 'bad-ts', 'no-meter']);
const r: ParsedReading = { register: NaN, raw: NaN, ts: NaN };

/** Numbers as a meter sends them: integers and decimals of at most 15 significant digits. */
const rawValue = fc.oneof(fc.integer({ min: -2147483648, max: 4294967295 }), fc.integer({ min: -99999999, max: 99999999 }).map((n) => n / 100));
const validReading = fc.record(
  {
    register: fc.integer({ min: 0, max: 65535 }),
    raw: rawValue,
    ts: fc.integer({ min: 0, max: 4102444800000 }),
    names: fc.constantFrom('new', 'old'),
    rawAsText: fc.boolean(),
    extra: fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => !['register', 'raw', 'ts', 'Start register', 'Raw data'].includes(k)), trickyJson, { maxKeys: 2 }),
  },
  { requiredKeys: ['register', 'raw', 'names', 'rawAsText', 'extra'] },
);
const readingText = (v: { register: number; raw: number; ts?: number; names: string; rawAsText: boolean; extra: Record<string, unknown> }) => {
  const o: Record<string, unknown> = { ...v.extra };
  o[v.names === 'new' ? 'register' : 'Start register'] = v.register;
  o[v.names === 'new' ? 'raw' : 'Raw data'] = v.rawAsText ? String(v.raw) : v.raw;
  if (v.ts !== undefined) o.ts = v.ts;
  return JSON.stringify(o);
};

describe('fuzz: Modbus readings', function () {
  this.timeout(120_000);

  it('device scanner: any bytes give one of its codes, never an exception', () =>
    fuzz(
      'meter: arbitrary readings (device)',
      fc.property(bytesAround(validReading.map((v) => enc(readingText(v))), MAX_READING_BYTES + 20), (b) => {
        const code = parseReading(b, r);
        assert.ok(CODES.includes(code), `code ${code}`);
        if (code === R_OK) assert.ok(r.register >= 0 && r.register <= 65535 && Number.isInteger(r.register) && Number.isFinite(r.raw));
      }),
    ));

  it('device scanner: any JSON value gives a code, and it agrees with JSON.parse on what a reading is', () =>
    fuzz(
      'meter: JSON values (device)',
      fc.property(trickyJson, (v) => {
        const text = JSON.stringify(v) ?? 'null';
        const code = parseReading(enc(text), r);
        assert.ok(CODES.includes(code));
        // An object whose register and raw are not numbers is never a reading.
        if (code === R_OK) assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), text);
      }),
    ));

  it('valid readings round-trip (both key spellings, raw as number or text, extra keys skipped)', () =>
    fuzz(
      'meter: readings round-trip',
      fc.property(validReading, (v) => {
        const text = readingText(v);
        fc.pre(Buffer.byteLength(text) <= MAX_READING_BYTES);
        assert.equal(parseReading(enc(text), r), R_OK, text);
        assert.equal(r.register, v.register);
        assert.equal(r.raw, v.raw);
        if (v.ts === undefined) assert.ok(Number.isNaN(r.ts));
        else assert.equal(r.ts, v.ts);
        const c = collectReading('esp/+/modbus', 'esp/m1/modbus', enc(text));
        assert.ok(c.ok);
        assert.deepEqual(c.reading, { meter: 'm1', register: v.register, raw: String(v.raw), ts: v.ts === undefined ? '' : String(v.ts) });
      }),
    ));

  it('numbers: the scanner agrees with Number() wherever it accepts one', () =>
    fuzz(
      'meter: number text',
      fc.property(fc.oneof(fc.double({ noNaN: true }).map(String), fc.stringMatching(/^[-+]?\d{0,18}(\.\d{0,6})?([eE][-+]?\d{1,3})?$/), fc.string({ maxLength: 12 })), (s) => {
        const n = parseNumberText(s);
        if (n === n) assert.equal(n, Number(s), s);
      }),
    ));

  it('collect: any topic and payload give a reading or a named reason, never an exception', () =>
    fuzz(
      'meter: collect readings',
      fc.property(fc.constantFrom('esp/+/modbus', '#', 'a/+/+/b'), fc.string({ minLength: 1, maxLength: 30 }) /* MQTT topics are never empty */, bytesAround(validReading.map((v) => enc(readingText(v))), 300), (pattern, topic, b) => {
        const c = collectReading(pattern, topic, b);
        if (c.ok) assert.ok(c.reading.meter.length > 0);
        else assert.ok(REASONS.has(c.reason) && c.detail.length > 0, c.reason);
      }),
    ));
});
