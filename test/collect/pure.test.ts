import assert from 'node:assert/strict';
import { parseReading, meterFromTopic, topicMatches } from '../../host/collect/reading.ts';
import { parseReading as parseDeviceReading, R_OK } from '../../device/meter/reading.ts';
import { RecentKeys } from '../../host/collect/dedup.ts';
import { shouldRotate } from '../../host/collect/rotation.ts';
import { csvLine, fileStamp, fileNames, countsCsv, messageRow } from '../../host/collect/csv-format.ts';

const P = 'esp/+/modbus';
const b = (s: string) => Buffer.from(s);

describe('collect: pure parts', () => {
  it('parses modern and legacy payloads, raw as text without loss, the meter from the topic', () => {
    assert.deepEqual(parseReading(P, 'esp/m1/modbus', b('{"register":1006,"raw":5012,"ts":1767225600000}')), {
      ok: true,
      reading: { meter: 'm1', register: 1006, raw: '5012', ts: '1767225600000' },
    });
    assert.deepEqual(parseReading(P, 'esp/m2/modbus', b('{"Start register":"1009","Raw data":" 2301.5 ","ts":"1767225600001"}')), {
      ok: true,
      reading: { meter: 'm2', register: 1009, raw: '2301.5', ts: '1767225600001' },
    });
    const noTs = parseReading(P, 'esp/m3/modbus', b('{"register":1010,"raw":-1e3}'));
    assert.deepEqual(noTs, { ok: true, reading: { meter: 'm3', register: 1010, raw: '-1000', ts: '' } });
  });

  it('refuses bad payloads with a reason', () => {
    const reason = (topic: string, s: string | Buffer) => {
      const r = parseReading(P, topic, typeof s === 'string' ? b(s) : s);
      return r.ok ? 'ok' : r.reason;
    };
    assert.equal(reason('esp/m/modbus', 'nope'), 'malformed');
    assert.equal(reason('esp/m/modbus', Buffer.from([0xff, 0x00, 0xfe])), 'malformed');
    assert.equal(reason('esp/m/modbus', '[1,2]'), 'malformed');
    assert.equal(reason('esp/m/modbus', 'null'), 'malformed');
    assert.equal(reason('esp/m/modbus', '{"raw":1}'), 'no-register');
    assert.equal(reason('esp/m/modbus', '{"register":"x","raw":1}'), 'no-register');
    assert.equal(reason('esp/m/modbus', '{"register":1.5,"raw":1}'), 'bad-register');
    assert.equal(reason('esp/m/modbus', '{"register":70000,"raw":1}'), 'bad-register');
    assert.equal(reason('esp/m/modbus', '{"register":1006}'), 'bad-raw');
    assert.equal(reason('esp/m/modbus', '{"register":1006,"raw":"12a"}'), 'bad-raw');
    assert.equal(reason('esp/m/modbus', '{"register":1006,"raw":{"a":1}}'), 'bad-raw');
    assert.equal(reason('esp/m/modbus', '{"register":1006,"raw":1,"ts":{}}'), 'bad-ts');
    assert.equal(reason('esp/m/modbus', '{"register":1006,"raw":1,"ts":"abc"}'), 'bad-ts');
    assert.equal(reason('esp/m/modbus', '{"register":1006,"raw":1,"ts":"2026-01-01T00:00:00Z"}'), 'bad-ts');
    assert.equal(reason('esp//modbus', '{"register":1006,"raw":1}'), 'no-meter');
    assert.equal(reason('esp/m/modbus', Buffer.alloc(257, 0x20)), 'too-large');
    assert.equal(reason('esp/m/modbus', Buffer.alloc(1 << 20, 0x20)), 'too-large');
  });

  it('accepts and refuses exactly what the device parser does, with the same numbers', () => {
    const payloads = [
      '{"register":1006,"raw":5012,"ts":1767225600000}',
      '{"register":1006,"raw":5012,"ts":"abc"}',
      '{"register":1006,"raw":5012,"ts":-1}',
      '{"register":1006,"raw":5012,"ts":"17"}',
      '{"Start register":"1009","Raw data":"2301.5"}',
      '{"register":1006,"raw":"5012","extra":{"a":[1,2,{"b":"}"}]}}',
      '{"register":1006,"raw":1234567890123456}',
      '{"register":1006,"raw":1e400}',
      '{"register":1006,"raw":true}',
      '{"register":65535,"raw":0}',
      '{"register":65536,"raw":0}',
      '{"register":-1,"raw":0}',
      '{"register":1006,"raw":1,}',
      '{"register":1006 "raw":1}',
      ' {"register":1006,"raw":1} ',
      '{"register":1006,"raw":1}x',
      '{}',
      '',
      `{"register":1006,"raw":1,"pad":"${'x'.repeat(240)}"}`,
    ];
    for (const text of payloads) {
      const bytes = b(text);
      const dev = { register: NaN, raw: NaN, ts: NaN };
      const devOk = parseDeviceReading(bytes, dev) === R_OK;
      const host = parseReading(P, 'esp/m/modbus', bytes);
      assert.equal(host.ok, devOk, `host ${host.ok ? 'accepts' : `refuses (${(host as { reason: string }).reason})`} ${text.slice(0, 60)}, device ${devOk ? 'accepts' : 'refuses'}`);
      if (host.ok) {
        assert.equal(host.reading.register, dev.register);
        assert.equal(Number(host.reading.raw), dev.raw, 'raw text reads back as the device number');
        assert.equal(host.reading.ts === '' ? NaN : Number(host.reading.ts), dev.ts);
      }
    }
  });

  it('finds the meter under the first + and matches topic filters', () => {
    assert.equal(meterFromTopic('site/+/+/modbus', 'site/a/b/modbus'), 'a');
    assert.equal(meterFromTopic('esp/meter1/modbus', 'esp/meter1/modbus'), 'esp/meter1/modbus');
    assert.equal(topicMatches('esp/+/modbus', 'esp/x/modbus'), true);
    assert.equal(topicMatches('esp/+/modbus', 'esp/x/modbus/truth'), false);
    assert.equal(topicMatches('esp/#', 'esp/x/modbus/truth'), true);
    assert.equal(topicMatches('esp/+/modbus', 'esp/modbus'), false);
  });

  it('de-duplicates recent keys within a bounded capacity', () => {
    const k = new RecentKeys(3);
    const key = (ts: number) => RecentKeys.key('m', 1006, String(ts));
    assert.deepEqual([1, 2, 1, 3, 2].map((t) => k.add(key(t))), [true, true, false, true, false]);
    assert.equal(k.add(key(4)), true); // evicts 1
    assert.equal(k.size, 3);
    assert.equal(k.add(key(1)), true);
    assert.equal(k.add(RecentKeys.key('m', 1007, '2')), true, 'another register is another reading');
  });

  it('rotates by size or by age', () => {
    const pol = { maxBytes: 100, maxAgeMs: 1000 };
    assert.equal(shouldRotate({ bytes: 99, openedAt: 0 }, 999, pol), false);
    assert.equal(shouldRotate({ bytes: 100, openedAt: 0 }, 1, pol), true);
    assert.equal(shouldRotate({ bytes: 0, openedAt: 0 }, 1000, pol), true);
    assert.equal(shouldRotate({ bytes: 1e12, openedAt: 0 }, 1e12, { maxBytes: 0, maxAgeMs: 0 }), false);
  });

  it('formats rows, stamps and counts like the prototype, quoting when needed', () => {
    assert.equal(csvLine(['a', 'b,c', 'd"e', 1]), 'a,"b,c","d""e",1\n');
    assert.equal(fileStamp(Date.UTC(2026, 0, 2, 3, 4, 5)), '20260102_030405');
    assert.equal(fileNames.all('X'), 'mqtt_all_messages_X.csv');
    assert.equal(fileNames.register(1006, 'X'), 'mqtt_messages_1006_X.csv');
    assert.equal(fileNames.counts('X'), 'mqtt_register_counts_X.csv');
    assert.equal(
      messageRow({ meter: 'm1', register: 1006, raw: '5012', ts: '7' }, 'esp/m1/modbus', Date.UTC(2026, 0, 1)),
      '2026-01-01T00:00:00.000Z,esp/m1/modbus,1006,5012,m1,7\n',
    );
    const counts = new Map([
      ['m2', new Map([[1007, 1]])],
      ['m1', new Map([[1009, 2], [1006, 3]])],
    ]);
    assert.equal(countsCsv(counts), 'meter,Start register,Count\nm1,1006,3\nm1,1009,2\nm2,1007,1\n');
  });
});
