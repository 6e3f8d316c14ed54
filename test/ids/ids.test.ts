/**
 * One id syntax (device/ids.ts) and the text neutraliser (host/text/sanitize.ts), and the device's own check of
 * its identity settings at boot on the simulated board.
 */
import assert from 'node:assert/strict';
import { ID_MAX_LENGTH, idError, isValidId, parseIdList, prefixError } from '../../device/ids.ts';
import { csvText, printable, printableJson, printableValue } from '../../host/text/sanitize.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { ensureBundle, eventually, makeBoard, Observer } from '../spine/util.ts';
import { messageRow, countsCsv } from '../../host/collect/csv-format.ts';

export const BAD_IDS = ['', '+', '#', 'dev+', 'a/b', 'a#', '-x', '_x', 'a b', 'dé', 'a.b', '\x1b[31m', 'x'.repeat(ID_MAX_LENGTH + 1), 'a\n', 'a\0'];

describe('ids: one syntax for device, group and meter ids', () => {
  it('accepts letters, digits, - and _, starting with a letter or digit, up to the bound', () => {
    for (const id of ['dev1', 'meter_2', 'A-b_c', '0000000000a1', 'x'.repeat(ID_MAX_LENGTH)]) for (const k of ['device', 'group', 'meter'] as const) assert.equal(idError(k, id), null, `${k} ${id}`);
  });

  it('refuses wildcards, separators, empty, overlong and control characters, saying which', () => {
    for (const id of BAD_IDS) for (const k of ['device', 'group', 'meter'] as const) {
      const e = idError(k, id);
      assert.ok(e && e.startsWith(`${k} id`), `${k} ${JSON.stringify(id)} accepted`);
      assert.ok(printable(e) === e, `the error quotes the id raw: ${JSON.stringify(e)}`);
      assert.ok(e.length < 200, 'the error is bounded');
    }
    assert.match(idError('device', '+')!, /wildcard/);
    assert.match(idError('device', '')!, /empty/);
    assert.match(idError('device', 'a/b')!, /only letters, digits/);
    assert.match(idError('device', 'all')!, /reserved/);
    assert.equal(idError('group', 'all'), null, 'a group may be called all');
    assert.equal(isValidId('meter', 5), false);
  });

  it('topic prefixes are id levels joined by /', () => {
    for (const p of ['esp', 'site-1/esp']) assert.equal(prefixError(p), null);
    for (const p of ['', '+', 'esp/#', 'esp/', '/esp', 'a//b', 'a/b/c/d/e', 'x'.repeat(65)]) assert.ok(prefixError(p), JSON.stringify(p));
  });

  it('id lists keep the valid ids and name every invalid one', () => {
    assert.deepEqual(parseIdList('meter', ' m1, m2,,m1, +,a/b '), { ids: ['m1', 'm2'], errors: [idError('meter', '+'), idError('meter', 'a/b')] });
  });
});

describe('text from peers: neutralised for terminals, logs and CSV', () => {
  it('escapes C0, DEL, C1 and bidi controls, and leaves other text alone', () => {
    assert.equal(printable('\x1b[31mred\x1b]0;title\x07'), '\\x1b[31mred\\x1b]0;title\\x07');
    assert.equal(printable('a\u009b31mb\x7f\r\n'), 'a\\x9b31mb\\x7f\\x0d\\x0a');
    assert.equal(printable('abc\u202eevil'), 'abc\\u202eevil');
    assert.equal(printable('plain text, ünïcode ✓ 電'), 'plain text, ünïcode ✓ 電');
    assert.equal(printableValue({ a: '\u009b' }), '{"a":"\\x9b"}');
    assert.equal(printableValue(undefined), '');
    assert.equal(printableValue(12), '12');
    assert.equal(JSON.parse(printableJson({ s: '\x1b\u009b\u2028' })).s, '\x1b\u009b\u2028', 'printableJson stays JSON for the same value');
    assert.ok(!/[\x00-\x1f\x7f-\x9f]/.test(printableJson({ s: '\x1b\u009b\x7f' })));
  });

  it('CSV: a text cell starting with = + - @ becomes text; numbers stay numbers', () => {
    for (const s of ['=HYPERLINK("x")', '+1', '-2+3', '@SUM(A1)']) assert.equal(csvText(s), `'${s}`);
    assert.equal(csvText('\t=1'), '\\x09=1');
    assert.equal(csvText('meter1'), 'meter1');
    const row = messageRow({ meter: '=cmd|calc', register: 1007, raw: '-12.5', ts: '1' }, 'esp/=cmd|calc/modbus\x1b', 0);
    assert.equal(row, `1970-01-01T00:00:00.000Z,esp/=cmd|calc/modbus\\x1b,1007,-12.5,'=cmd|calc,1\n`);
    assert.equal(countsCsv(new Map([['@x', new Map([[1006, 3]])]])), `meter,Start register,Count\n'@x,1006,3\n`);
  });
});

describe('the device checks its identity settings at boot (simulated board, real bundle)', function () {
  this.timeout(20000);
  let broker: EmbeddedBroker;
  const connected: string[] = [];
  before(async () => {
    await ensureBundle();
    broker = await startEmbeddedBroker({ port: 0 });
    broker.aedes.on('client', (c) => connected.push(c.id));
  });
  after(() => broker?.close());

  const boot = (settings: Record<string, string>) => {
    const t = makeBoard('devx', broker.url, { settings });
    const logs: string[] = [];
    t.board.on('log', (level, m) => logs.push(`${level} ${m}`));
    t.board.boot();
    return { t, logs };
  };

  it('a valid id connects (the control case)', async () => {
    const { t, logs } = boot({ deviceId: 'good1' });
    try {
      await eventually(() => connected.includes('good1'), 'good1 to connect', { clocks: [t.clock] });
      assert.ok(!logs.some((l) => l.startsWith('error')), logs.join('\n'));
    } finally {
      t.dispose();
    }
  });

  for (const [name, settings, want] of [
    ['device id a/b', { deviceId: 'a/b' }, /device id "a\/b" may contain only/],
    ['device id +', { deviceId: '+' }, /device id "\+" contains an MQTT wildcard/],
    ['device id all', { deviceId: 'all' }, /reserved/],
    ['group #', { deviceId: 'dev7', group: '#' }, /group id "#" contains an MQTT wildcard/],
    ['prefix esp/+', { deviceId: 'dev8', topicPrefix: 'esp/+' }, /topic prefix/],
  ] as const) {
    it(`${name}: one clear error, no connection, no fault loop`, async () => {
      const before = connected.length;
      const { t, logs } = boot(settings);
      try {
        for (let i = 0; i < 20; i++) {
          t.clock.advance(500);
          await new Promise((r) => setTimeout(r, 5));
        }
        const errors = logs.filter((l) => l.startsWith('error'));
        assert.equal(errors.length, 1, logs.join('\n'));
        assert.match(errors[0]!, want);
        assert.match(errors[0]!, /jerrywatt flash --device-id/);
        assert.equal(t.board.faults, 0);
        assert.equal(t.board.boots, 1, 'no restart');
        assert.equal(connected.length, before, 'it must not connect');
      } finally {
        t.dispose();
      }
    });
  }

  it('the device itself logs a peer\'s escape codes escaped (its serial log reaches a terminal)', async () => {
    const { t, logs } = boot({ deviceId: 'esc1' });
    const peer = await Observer.connect(broker.url, 'esp/esc1/error');
    try {
      await eventually(() => connected.includes('esc1'), 'esc1 to connect', { clocks: [t.clock] });
      await peer.publish('esp/esc1/led/set', Buffer.from('\x1b[31mRED\x1b]0;pwned\x07\u009b2J\nforged'));
      const line = await eventually(() => logs.find((l) => l.includes('unknown command')), 'the error log line', { clocks: [t.clock] });
      assert.ok(!/[\x00-\x1f\x7f-\x9f]/.test(line), JSON.stringify(line));
      assert.ok(line.includes('\\x1b[31mRED\\x1b]0;pwned\\x07\\x9b2J\\x0aforged'), line);
    } finally {
      await peer.close();
      t.dispose();
    }
  });
});
