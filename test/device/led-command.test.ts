import assert from 'node:assert/strict';
import { parseLedCommand } from '../../device/led/command.ts';
import { parsePinList } from '../../device/led/pins.ts';
import { utf8Decode, utf8Encode } from '../../device/lib/utf8.ts';
import { backoffDelay } from '../../device/lib/backoff.ts';
import { RateLimit } from '../../device/lib/rate-limit.ts';

const enc = (s: string) => new Uint8Array(Buffer.from(s));

describe('device pure logic', () => {
  it('parses the plain words and JSON commands', () => {
    assert.deepEqual(parseLedCommand(enc(' on\n'), [2], 2), { ok: true, cmd: { state: 'on', pin: 2, blink: null, id: null, from: null, seq: 0 } });
    const r = parseLedCommand(enc('{"state":"toggle","pin":4,"blink":{"periodMs":200,"count":3},"id":"a"}'), [2, 4], 2);
    assert.deepEqual(r, { ok: true, cmd: { state: 'toggle', pin: 4, blink: { periodMs: 200, count: 3 }, id: 'a', from: null, seq: 0 } });
  });

  it('refuses what it cannot act on, saying why', () => {
    const err = (s: string) => {
      const r = parseLedCommand(enc(s), [2, 4], 2);
      assert.equal(r.ok, false, s);
      return (r as { error: string }).error;
    };
    assert.match(err('{"state":"on","pin":5}'), /pin 5 is not allowed \(allowed: 2,4\)/);
    assert.match(err('{"state":"on","blink":{"periodMs":100,"count":0}}'), /blink.count/);
    assert.match(err('{"state":"on","id":""}'), /id must be/);
    assert.match(err('null'), /unknown command/);
    assert.match(err('{"state":"on"} trailing'), /invalid JSON/);
  });

  it('never allows the flash pins 6-11, whatever the allow-list says', () => {
    assert.deepEqual(parsePinList('2, 5-12, 40, x, 39'), [2, 5, 12, 39]);
  });

  it('UTF-8 round-trips, and refuses invalid sequences', () => {
    for (const s of ['', 'on', 'état ✓', '𝄞 clef', '\u0000']) assert.equal(utf8Decode(utf8Encode(s)), s);
    assert.deepEqual(Array.from(utf8Encode('é𝄞')), Array.from(Buffer.from('é𝄞')));
    for (const bad of [[0xff], [0xc3], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x28, 0xa1]]) assert.equal(utf8Decode(new Uint8Array(bad)), null, JSON.stringify(bad));
  });

  it('backoff grows exponentially with jitter, capped', () => {
    const p = { minMs: 500, maxMs: 30000 };
    assert.equal(backoffDelay(0, p, () => 0), 250);
    assert.equal(backoffDelay(0, p, () => 1), 500);
    assert.equal(backoffDelay(3, p, () => 1), 4000);
    assert.equal(backoffDelay(20, p, () => 1), 30000);
    assert.equal(backoffDelay(20, p, () => 0), 15000);
  });

  it('the rate limit allows a burst, then the refill rate, and counts refusals', () => {
    let t = 0;
    const rl = new RateLimit(2, 3, () => t);
    assert.deepEqual([rl.take(), rl.take(), rl.take(), rl.take()], [true, true, true, false]);
    t = 500;
    assert.deepEqual([rl.take(), rl.take()], [true, false]);
    assert.equal(rl.suppressed, 2);
  });
});
