/** Fuzz: LED commands (device/led/command.ts), the first thing any peer's payload reaches. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BLINK_COUNT_MAX, BLINK_PERIOD_MS, MAX_COMMAND_BYTES, parseLedCommand } from '../../device/led/command.ts';
import { bytesAround, enc, fuzz, trickyJson } from './harness.ts';

const ALLOWED = [2, 4, 5, 12, 13];

const validCommand = fc.record(
  {
    state: fc.constantFrom('on', 'off', 'toggle'),
    pin: fc.constantFrom(...ALLOWED),
    blink: fc.record({ periodMs: fc.integer({ min: BLINK_PERIOD_MS[0], max: BLINK_PERIOD_MS[1] }), count: fc.integer({ min: 1, max: BLINK_COUNT_MAX }) }, { noNullPrototype: true }),
    id: fc.string({ minLength: 1, maxLength: 64 }),
  },
  { requiredKeys: ['state'], noNullPrototype: true },
);

/** JSON text of objects with the command's keys, each holding anything. */
const nearCommand = fc
  .dictionary(fc.constantFrom('state', 'pin', 'blink', 'id', 'periodMs', '__proto__', 'toString'), fc.oneof(trickyJson, fc.constantFrom('on', 'off', 'toggle', 2, 4, 6, -1, 1e309)), { maxKeys: 4 })
  .map((o) => enc(JSON.stringify(o)));

describe('fuzz: LED commands', function () {
  this.timeout(120_000);

  it('any payload: no exception, and a refusal always says why', () =>
    fuzz(
      'led: arbitrary payloads',
      fc.property(bytesAround(fc.oneof(nearCommand, validCommand.map((c) => enc(JSON.stringify(c)))), MAX_COMMAND_BYTES + 20), (payload) => {
        const r = parseLedCommand(payload, ALLOWED, 2);
        if (r.ok) {
          assert.ok(['on', 'off', 'toggle'].includes(r.cmd.state));
          assert.ok(ALLOWED.includes(r.cmd.pin), `pin ${r.cmd.pin} outside the allow-list`);
        } else assert.ok(typeof r.error === 'string' && r.error.length > 0);
      }),
    ));

  it('JSON objects with the command\'s keys and tricky values: no exception', () =>
    fuzz(
      'led: near-commands',
      fc.property(nearCommand, (payload) => {
        const r = parseLedCommand(payload, ALLOWED, 2);
        assert.ok(r.ok || r.error.length > 0);
      }),
    ));

  it('valid commands round-trip', () =>
    fuzz(
      'led: valid commands round-trip',
      fc.property(validCommand, fc.constantFrom('', ' ', '\n'), (c, pad) => {
        const text = pad + JSON.stringify(c) + pad;
        fc.pre(Buffer.byteLength(text) <= MAX_COMMAND_BYTES);
        const r = parseLedCommand(enc(text), ALLOWED, 2);
        assert.ok(r.ok, !r.ok ? r.error : '');
        assert.deepEqual(r.cmd, { state: c.state, pin: c.pin ?? 2, blink: c.blink ?? null, id: c.id ?? null, from: null, seq: 0 });
      }),
    ));
});
