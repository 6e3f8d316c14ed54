/**
 * Fuzz: CSV rows. collect writes peers' text into CSV cells (host/collect/csv-format.ts) that spreadsheets and
 * `retrain` read back; collect re-reads its newest file at start (host/collect/resume.ts); the pipeline reads
 * Raw data, numbers and timestamps from cells (host/pipeline/process).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { messageRow } from '../../host/collect/csv-format.ts';
import { seedFromCsv } from '../../host/collect/resume.ts';
import { RecentKeys } from '../../host/collect/dedup.ts';
import { decodeRaw } from '../../host/pipeline/process/modbus.ts';
import { parseNumber } from '../../host/pipeline/process/rows.ts';
import { parseTimestampMs } from '../../host/pipeline/timestamp.ts';
import { csvText } from '../../host/text/sanitize.ts';
import { fuzz } from './harness.ts';

const FORMULA = /^[=+\-@\t\r]/;
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
/** Text a peer controls: topic levels and meter ids with formulas, quotes, separators and controls mixed in. */
const peerText = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '"', ',', '\n', '\r', '\t', '\x1b', '\u009b', 'a', '1', '/', "'"), maxLength: 12 }));
const num = fc.oneof(fc.integer({ min: -2147483648, max: 4294967295 }), fc.double({ noNaN: true, noDefaultInfinity: true }));

describe('fuzz: CSV rows', function () {
  this.timeout(180_000);

  it('collect rows: parse back to the same six cells; text cells carry no formula and no control character; numbers stay numbers', () =>
    fuzz(
      'csv: collect rows round-trip',
      fc.property(peerText, peerText, fc.integer({ min: 0, max: 65535 }), num, fc.option(fc.integer({ min: 0, max: 4102444800000 }), { nil: undefined }), (topic, meter, register, raw, ts) => {
        const line = messageRow({ meter, register, raw: String(raw), ts: ts === undefined ? '' : String(ts) }, topic, 0);
        const rows = parse(line) as string[][];
        assert.equal(rows.length, 1);
        const [time, t, reg, r, m, tsCell] = rows[0]!;
        assert.deepEqual([time, t, reg, r, m, tsCell], ['1970-01-01T00:00:00.000Z', csvText(topic), String(register), String(raw), csvText(meter), ts === undefined ? '' : String(ts)]);
        for (const text of [t!, m!]) assert.ok(!FORMULA.test(text) && !CONTROL.test(text), JSON.stringify(text));
        assert.ok(Number(r) === raw, 'a reading stays a number, negative or not');
        if (!FORMULA.test(topic) && !CONTROL.test(topic)) assert.equal(t, topic, 'plain text is written as it is');
      }),
    ));

  it('resume: any content of the newest file seeds keys, never an exception (a damaged row is skipped)', () => {
    const header = 'Time,Topic,Start register,Raw data,meter,ts\n';
    const rowArb = fc
      .tuple(peerText, fc.oneof(fc.integer({ min: -5, max: 70000 }).map(String), peerText), peerText)
      .map(([m, reg, ts]) => messageRow({ meter: m, register: 0, raw: '1', ts }, 'esp/x/modbus', 0).replace(',0,1,', `,${JSON.stringify(reg)},1,`));
    fuzz(
      'csv: resume seeding',
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(rowArb, { maxLength: 5 }).map((rs) => header + rs.join(''))), fc.integer({ min: 1, max: 8 }), (content, cap) => {
        const n = seedFromCsv(content, new RecentKeys(cap));
        assert.ok(n >= 0 && n <= cap);
      }),
    );
  });

  it('resume: the rows collect wrote seed exactly their keys (round-trip)', () =>
    fuzz(
      'csv: resume round-trip',
      fc.property(fc.array(fc.tuple(peerText, fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 4102444800000 })), { minLength: 1, maxLength: 6 }), (rows) => {
        const text = 'Time,Topic,Start register,Raw data,meter,ts\n' + rows.map(([m, reg, ts]) => messageRow({ meter: m, register: reg, raw: '1', ts: String(ts) }, 'esp/x/modbus', 0)).join('');
        const keys = new RecentKeys(100);
        const want = rows.filter(([m]) => csvText(m) !== '');
        assert.equal(seedFromCsv(text, keys), want.length);
        for (const [m, reg, ts] of want) assert.ok(!keys.add(RecentKeys.key(csvText(m), reg, String(ts))), 'already seeded');
      }),
    ));

  it('cells: Raw data, numbers and timestamps give a value or a reason, never an exception', () =>
    fuzz(
      'csv: cells',
      fc.property(
        fc.oneof(fc.string({ maxLength: 20 }), num.map(String), fc.array(fc.integer({ min: -1, max: 0x10000 }), { maxLength: 3 }).map((a) => JSON.stringify(a)), fc.constantFrom('[', '[1,', '1e999', '-0', ' 12 ', '2026-01-01 00:00:00', '2026-01-01T00:00:00.5')),
        fc.record({ quantity: fc.constant('voltage' as const), scale: fc.constantFrom(1, 0.1), signed: fc.boolean(), wordOrder: fc.constantFrom('big', 'little') as fc.Arbitrary<'big' | 'little'> }),
        (cell, spec) => {
          const v = decodeRaw(cell, spec);
          assert.ok(typeof v === 'string' ? v.length > 0 : Number.isFinite(v), `${JSON.stringify(cell)} -> ${v}`);
          const n = parseNumber(cell);
          assert.ok(Number.isNaN(n) || Number.isFinite(n));
          const t = parseTimestampMs(cell);
          assert.ok(Number.isNaN(t) || t >= 0 || Number.isFinite(t));
        },
      ),
    ));
});
