/** The dashboard's model, fed topics and payloads directly: what each message shows, and the bounds that hold. */
import assert from 'node:assert/strict';
import { DashboardModel, DEFAULT_LIMITS } from '../../host/dashboard/page/model.ts';
import { classifyTopic } from '../../host/dashboard/page/topics.ts';
import { printable } from '../../host/dashboard/page/text.ts';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

/** One complete sample of the default register map. */
function sample(m: DashboardModel, meter: string, ts: number, volts = 230): void {
  const regs: Array<[number, number]> = [[1006, 5000], [1007, 1100], [1009, Math.round(volts * 10)], [1010, 5000], [1011, 25]];
  for (const [register, raw] of regs) m.ingest(`esp/${meter}/modbus`, enc({ register, raw, ts }), ts);
}

describe('dashboard model', () => {
  it('shows birth, health, LED state and OTA progress of a device', () => {
    const m = new DashboardModel('esp');
    m.ingest('esp/dev1/status', enc({ online: true, firmware: 'fw 1', app: 3, engine: 'jerryscript', resetReason: 'sw', bootCount: 4 }), 1);
    m.ingest('esp/dev1/health', enc({ uptimeMs: 61_000, heap: { jsUsed: 20_480, jsSize: 65_536 }, mqttConnects: 3, wifiDrops: 1 }), 2);
    m.ingest('esp/dev1/led/state', enc({ pin: 2, state: 'on', blinking: false, id: 'a' }), 3);
    m.ingest('esp/dev1/ota/status', enc({ state: 'downloading', kind: 'app', version: 2, done: 5, total: 20, reason: '' }), 4);
    const d = m.devices.get('dev1')!;
    assert.equal(d.online, true);
    assert.equal(d.app, '3');
    assert.equal(d.resetReason, 'sw');
    assert.equal(d.jsUsed, 20_480);
    assert.equal(d.reconnects, 2);
    assert.deepEqual(d.led, { pin: 2, state: 'on', blinking: false });
    assert.deepEqual(d.ota, { state: 'downloading', kind: 'app', version: 2, done: 5, total: 20, reason: '' });
    m.ingest('esp/dev1/status', enc({ online: false }), 5);
    assert.equal(m.devices.get('dev1')!.online, false);
    assert.equal(m.devices.get('dev1')!.firmware, 'fw 1', 'the last will keeps what the birth said');
    m.ingest('esp/dev1/ota/status', new Uint8Array(0), 6);
    assert.equal(m.devices.get('dev1')!.ota, null, 'a cleared retained status clears the view');
    assert.equal(m.garbage, 0);
  });

  it('assembles meter readings into samples, and anomaly events into spans and a list', () => {
    const m = new DashboardModel('esp');
    for (let k = 0; k < 10; k++) sample(m, 'meter1', 1000 * k, k >= 4 && k < 7 ? 160 : 230);
    const mv = m.meters.get('meter1')!;
    assert.equal(mv.series.length, 10);
    assert.equal(mv.series.latest()![0], 230);
    const cols = mv.series.columns();
    assert.equal(cols.length, 6);
    assert.equal(cols[3]![5], 1100, 'power column');
    assert.equal(cols[1]![5], 160, 'voltage column');
    assert.equal(cols[0]![5], 5, 'x in seconds');
    m.ingest('esp/dev1/anomaly', enc({ meter: 'meter1', event: 'start', class: 'sag', score: 0.97, model: 2, ts: 4000 }), 11);
    assert.equal(mv.spans.length, 1);
    assert.equal(mv.spans[0]!.end, null);
    m.ingest('esp/dev1/anomaly', enc({ meter: 'meter1', event: 'end', class: 'sag', score: 0.1, model: 2, ts: 7000 }), 12);
    assert.deepEqual({ s: mv.spans[0]!.start, e: mv.spans[0]!.end, c: mv.spans[0]!.cls }, { s: 4000, e: 7000, c: 'sag' });
    assert.deepEqual(m.events.map((e) => e.event), ['end', 'start']);
    assert.equal(m.devices.get('dev1')!.model, 2);
  });

  it('counts and lists what it cannot read, and never throws', () => {
    const m = new DashboardModel('esp');
    const bad: Array<[string, Uint8Array]> = [
      ['esp/dev1/health', enc('not json')],
      ['esp/dev1/status', enc('[1,2]')],
      ['esp/dev1/led/state', enc({ state: 'purple' })],
      ['esp/dev1/ota/status', enc({ done: 3 })],
      ['esp/meter1/modbus', enc({ nope: 1 })],
      ['esp/a+b/status', enc({ online: true })],
      ['esp/dev1/whatever', enc({})],
      ['esp/dev1/error', new Uint8Array([0xff, 0xfe, 0x00])],
    ];
    for (const [t, p] of bad) m.ingest(t, p, 1);
    assert.equal(m.garbage, bad.length);
    assert.equal(m.errors.length, bad.length);
    assert.ok(m.errors.every((e) => e.text.startsWith('unreadable message')));
  });

  it('neutralises control characters from peers', () => {
    const m = new DashboardModel('esp');
    m.ingest('esp/dev1/error', enc({ error: '\u001b[31mred\u0007 \u009b' }), 1);
    assert.equal(m.errors[0]!.text, '\\x1b[31mred\\x07 \\x9b');
    assert.equal(printable('x'.repeat(500), 10).length, 10);
  });

  it('stays bounded: history by age and count, devices, meters, events, errors', () => {
    const m = new DashboardModel('esp', { ...DEFAULT_LIMITS, maxPoints: 100, historyMs: 60_000 });
    m.ingest('esp/dev1/status', enc({ online: true }), 0);
    for (let k = 0; k < 1000; k++) sample(m, 'meter1', 1000 * k);
    const s = m.meters.get('meter1')!.series;
    assert.equal(s.length, 61, 'one minute of 1 Hz samples (both ends)');
    for (let k = 0; k < 1000; k++) sample(m, 'meter2', 100_000 + 10 * k); // 100 Hz
    assert.equal(m.meters.get('meter2')!.series.length, 100, 'capped by count whatever the rate');
    for (let k = 0; k < 2000; k++) m.ingest(`esp/d${k}/status`, enc({ online: true }), k);
    assert.equal(m.devices.size, DEFAULT_LIMITS.maxDevices);
    for (let k = 0; k < 500; k++) m.ingest(`esp/m${k}/modbus`, enc({ register: 1006, raw: 1, ts: 1 }), k);
    assert.equal(m.meters.size, DEFAULT_LIMITS.maxMeters);
    for (let k = 0; k < 1000; k++) m.ingest('esp/dev1/anomaly', enc({ meter: 'meter1', event: k % 2 ? 'end' : 'start', class: 'sag', ts: 1_000_000 + k }), k);
    assert.equal(m.events.length, DEFAULT_LIMITS.maxEvents);
    assert.ok(m.meters.get('meter1')!.spans.length <= DEFAULT_LIMITS.maxSpansPerMeter);
    for (let k = 0; k < 1000; k++) m.ingest('esp/dev1/error', enc({ error: `e${k}` }), k);
    assert.equal(m.errors.length, DEFAULT_LIMITS.maxErrors);
    assert.equal(m.errors[0]!.text, 'e999', 'newest first');
  });

  it('classifies topics under the prefix only', () => {
    assert.deepEqual(classifyTopic('esp', 'esp/dev1/led/state'), { kind: 'led/state', id: 'dev1' });
    assert.deepEqual(classifyTopic('esp', 'esp/meter7/modbus'), { kind: 'modbus', id: 'meter7' });
    assert.deepEqual(classifyTopic('esp', 'esp/all/led/set'), { kind: 'ignored', id: 'all' });
    assert.equal(classifyTopic('esp', 'other/dev1/status'), null);
    assert.equal(classifyTopic('esp', 'esp/dev1'), null);
  });
});
