/**
 * Fuzz: the settings the device parses at boot (device/ids.ts, device/led/pins.ts, device/meter/registers.ts)
 * and the UTF-8 codec every payload goes through (device/lib/utf8.ts).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ID_MAX_LENGTH, idError, parseIdList, prefixError } from '../../device/ids.ts';
import { FLASH_PINS, MAX_GPIO, parsePinList } from '../../device/led/pins.ts';
import { QUANTITIES, parseRegisterMap } from '../../device/meter/registers.ts';
import { utf8Decode, utf8Encode } from '../../device/lib/utf8.ts';
import { fuzz } from './harness.ts';

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';
const idChar = fc.constantFrom(...ID_CHARS);
const validId = fc.tuple(fc.constantFrom(...ID_CHARS.slice(0, 62)), fc.string({ unit: idChar, maxLength: ID_MAX_LENGTH - 1 })).map(([a, b]) => a + b).filter((s) => s !== 'all');
/** Strings that are near ids: id characters with MQTT and shell specials, controls and non-ASCII mixed in. */
const nearId = fc.string({ unit: fc.oneof(idChar, fc.constantFrom('+', '#', '/', ' ', '.', '\0', '\x1b', '\n', 'é', '\u202e', '$', '*')), maxLength: ID_MAX_LENGTH + 4 });

describe('fuzz: settings and text codecs', function () {
  this.timeout(120_000);

  it('ids: valid ones pass for every kind; anything else gets a reason that quotes it safely', () =>
    fuzz(
      'settings: ids',
      fc.property(validId, fc.oneof(nearId, fc.string(), fc.string({ unit: 'binary', maxLength: 40 })), (good, s) => {
        for (const k of ['device', 'group', 'meter'] as const) assert.equal(idError(k, good), null, good);
        const valid = s.length >= 1 && s.length <= ID_MAX_LENGTH && /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(s) && s !== 'all';
        const e = idError('device', s);
        assert.equal(e === null, valid, `${JSON.stringify(s)}: ${e}`);
        if (e) assert.ok(!/[\x00-\x1f\x7f-\x9f]/.test(e) && e.length < 200, JSON.stringify(e));
        assert.equal(prefixError(good), null);
        const list = parseIdList('meter', [good, s].join(','));
        assert.ok(list.ids.includes(good));
      }),
    ));

  it('topic prefixes: id levels joined by / pass, others get a reason', () =>
    fuzz(
      'settings: topic prefixes',
      fc.property(fc.array(validId, { minLength: 1, maxLength: 4 }), fc.oneof(nearId, fc.string({ unit: fc.constantFrom('a', '/', '+', '#', ''), maxLength: 10 })), (levels, s) => {
        const p = levels.join('/');
        if (p.length <= 64) assert.equal(prefixError(p), null, p);
        const e = prefixError(s);
        if (e === null) assert.ok(s.split('/').every((l) => idError('group', l) === null), s);
      }),
    ));

  it('LED pin lists: any text gives allowed GPIOs only; a list of pins round-trips', () =>
    fuzz(
      'settings: pin lists',
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('1', '2', '9', '0', ',', '-', ' ', 'x') })), fc.uniqueArray(fc.integer({ min: 0, max: MAX_GPIO }), { maxLength: 12 }), (s, pins) => {
        for (const p of parsePinList(s)) assert.ok(Number.isInteger(p) && p >= 0 && p <= MAX_GPIO && !FLASH_PINS.includes(p), `${p} from ${JSON.stringify(s)}`);
        assert.deepEqual(parsePinList(pins.join(',')), pins.filter((p) => !FLASH_PINS.includes(p)));
      }),
    ));

  const entry = fc.record({ reg: fc.integer({ min: 0, max: 65535 }), scale: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(0.1, 0.01, 0.001, -1)), offset: fc.option(fc.integer({ min: -100, max: 100 }), { nil: undefined }) });
  it('register maps: any text gives a map or a reason; a valid map round-trips', () =>
    fuzz(
      'settings: register maps',
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('1', '0', ':', ',', '.', 'e', '-', 'voltage', 'current', ' ') })),
        fc.shuffledSubarray(QUANTITIES.map((_, i) => i), { minLength: 1 }),
        fc.array(entry, { minLength: 5, maxLength: 5 }),
        (s, qs, es) => {
          const r = parseRegisterMap(s);
          assert.ok(typeof r === 'string' ? r.length > 0 : r.registers.length >= 1);
          const items = qs.map((q, i) => ({ ...es[i]!, reg: es[i]!.reg, q }));
          fc.pre(new Set(items.map((i) => i.reg)).size === items.length);
          const text = items.map((i) => `${i.reg}:${QUANTITIES[i.q]}:${i.scale}${i.offset === undefined ? '' : `:${i.offset}`}`).join(',');
          const m = parseRegisterMap(text);
          assert.ok(typeof m !== 'string', `${text}: ${m}`);
          assert.deepEqual(Array.from(m.registers), items.map((i) => i.reg));
          assert.deepEqual(Array.from(m.quantity), items.map((i) => i.q));
          assert.deepEqual(Array.from(m.scale), items.map((i) => i.scale));
          assert.deepEqual(Array.from(m.offset), items.map((i) => i.offset ?? 0));
        },
      ),
    ));

  it('UTF-8: any bytes decode to text or null (as TextDecoder fatal decides); any text round-trips', () =>
    fuzz(
      'settings: utf-8',
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 40 }), (b, s) => {
        const d = utf8Decode(b);
        let want: string | null;
        try {
          want = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
        } catch {
          want = null;
        }
        assert.equal(d, want);
        const e = utf8Encode(s);
        assert.deepEqual(Buffer.from(e), Buffer.from(s, 'utf8'));
        assert.equal(utf8Decode(e), s);
      }),
    ));
});
