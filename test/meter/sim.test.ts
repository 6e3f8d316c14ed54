import assert from 'node:assert/strict';
import type { EmbeddedBroker } from '../../host/broker/embedded.ts';
import { useBroker } from '../helpers/broker-fixture.ts';
import { trainMeterModel } from '../../host/meters/model.ts';
import { eventually, Observer } from '../spine/util.ts';
import { loadFlow, setFlows, startNodeRed } from '../helpers/nodered.ts';
import { describeOnBoards } from '../helpers/boards.ts';
import { events, meterBoard, meterBoardOn, publishSample, type MeterBoard, type MeterBoardOn } from './helpers.ts';

// On the native board: the Node-RED flow's detection (the representative case); the stale-data cases count
// blinks on the V8 board's manual clock and run there only.
describeOnBoards('meter: anomaly detection (real bundle)', (kind) => {
  const fx = useBroker({ nodeRed: true });
  let broker: EmbeddedBroker;
  let obs: Observer;
  let model: Uint8Array;
  const boards: Array<MeterBoard | MeterBoardOn> = [];
  before(async () => {
    ({ broker, obs } = fx);
    model = (await trainMeterModel({ version: 3, seed: 4 })).bytes;
  });
  after(async () => {
    for (const b of boards) await b.dispose();
  });

  it('a sag, a swell and a frequency excursion from the Node-RED meter flow each raise an event and the alarm LED within one sample, and end when cleared; stale data after the flow stops', async () => {
    const id = `det1${kind.name === 'native' ? 'n' : ''}`;
    // The flow sends 250 readings a second: in real time (native board) that is over the default flood limit.
    const b = await meterBoardOn(kind, id, fx, { meters: 'm1', model, settings: { meterStaleMs: 3000, meterFlood: 1000 } });
    boards.push(b);
    const T0 = 1_767_225_600_000;
    const interval = 20;
    const schedule = [
      { kind: 'sag', start: 10, ticks: 5, depth: 0.3 },
      { kind: 'swell', start: 25, ticks: 5, depth: 0.15 },
      { kind: 'freq', start: 40, ticks: 5, depth: 1.2 },
    ];
    await startNodeRed();
    await setFlows(
      loadFlow('meter-gateway', {
        JW_MQTT_HOST: '127.0.0.1',
        JW_MQTT_PORT: String(broker.port),
        JW_METERS: 'm1',
        JW_METER_INTERVAL: String(interval / 1000),
        JW_METER_TICKS: '60',
        JW_METER_T0: String(T0),
        JW_METER_SCHEDULE: JSON.stringify(schedule),
        JW_METER_SEED: '9',
        // Given although they are the defaults: loadFlow does not clear variables read through the flow's num()
        // helper, so an earlier suite's JW_METER_CYCLE would leak in.
        JW_METER_CYCLE: '60',
        JW_METER_QOS: '1',
      }),
    );
    await eventually(() => events(obs, id, 'end').length >= 3, 'three anomalies to start and end', { clocks: [b.clock] });
    const seen = events(obs, id).filter((e) => e.event === 'start' || e.event === 'end');
    assert.deepEqual(
      seen.map((e) => `${e.event}:${e.class}`),
      ['start:sag', 'end:sag', 'start:swell', 'end:swell', 'start:freq', 'end:freq'],
    );
    schedule.forEach((d, k) => {
      const start = seen[2 * k]!;
      const end = seen[2 * k + 1]!;
      const late = (start.ts - (T0 + d.start * interval)) / interval;
      assert.ok(late >= 0 && late <= 1, `${d.kind} detected ${late} samples after it began`);
      const clearLate = (end.ts - (T0 + (d.start + d.ticks) * interval)) / interval;
      assert.ok(clearLate >= 0 && clearLate <= 1, `${d.kind} cleared ${clearLate} samples after it ended`);
      assert.equal(start.model, 3);
      assert.ok(start.score > 0.5 && start.score <= 1, `score ${start.score}`);
      assert.equal(typeof start.features.voltagePu, 'number');
      assert.equal(start.meter, 'm1');
    });
    assert.ok(Math.abs(seen[0].features.voltagePu - 0.7) < 0.015, `sag voltage ${seen[0].features.voltagePu} pu`);
    // Alarm LED: lit at each start, off after each end; the command LED is never driven by the alarm.
    assert.ok(b.alarm.filter((l) => l === 1).length >= 3, `alarm levels ${b.alarm.join('')}`);
    assert.equal(b.gpioLevel(4), 0);
    assert.ok(b.led.every((l) => l === 0), 'command LED untouched');
    // The flow has stopped: after the stale timeout the meter is reported stale (and never scored normal).
    await eventually(() => events(obs, id, 'stale').length > 0, 'stale report', { clocks: [b.clock], stepMs: 200 });
    const stale = events(obs, id, 'stale')[0];
    assert.deepEqual(stale.missing.sort(), ['activePower', 'current', 'frequency', 'thd', 'voltage']);
    assert.equal(events(obs, id, 'fresh').length, 0);
  });

  if (kind.name === 'v8') it('a register missing for longer than the timeout is reported stale, never scored normal; the alarm blinks slowly; complete samples make it fresh again', async () => {
    const b = await meterBoard('det2', fx, { meters: 'm2', model, settings: { meterStaleMs: 2000 } });
    boards.push(b);
    const ts0 = 1_000_000;
    // Voltage never arrives: no sample is complete, so none is scored.
    for (let k = 0; k < 10; k++) {
      await publishSample(obs, 'm2', ts0 + k * 1000, 230, [1009]);
      b.clock.advance(300);
    }
    await eventually(() => events(obs, 'det2', 'stale').length > 0, 'stale report', { clocks: [b.clock], stepMs: 100 });
    const stale = events(obs, 'det2', 'stale')[0];
    assert.deepEqual(stale.missing, ['voltage']);
    assert.equal(stale.meter, 'm2');
    assert.ok(stale.ageMs > 2000);
    assert.equal(events(obs, 'det2').filter((e) => e.event !== 'stale').length, 0, 'nothing scored while voltage is missing');
    const before = b.alarm.length;
    b.clock.advance(4000);
    assert.ok(b.alarm.length - before >= 3 && b.alarm.length - before <= 5, `slow blink: ${b.alarm.length - before} changes in 4 s`);
    for (let k = 0; k < 3; k++) await publishSample(obs, 'm2', ts0 + 20_000 + k * 1000);
    await eventually(() => events(obs, 'det2', 'fresh').length > 0, 'fresh again', { clocks: [b.clock] });
    assert.equal(events(obs, 'det2', 'fresh')[0].class, 'normal');
    assert.equal(b.board.gpioLevel(4), 0);
  });

  if (kind.name === 'v8') it('without a model: stale data is reported, and complete samples make the meter fresh again (unscored) and stop the alarm', async () => {
    const b = await meterBoard('det3', fx, { meters: 'm3', settings: { meterStaleMs: 2000 } });
    boards.push(b);
    b.clock.advance(3000);
    await eventually(() => events(obs, 'det3', 'stale').length > 0, 'stale report', { clocks: [b.clock], stepMs: 100 });
    assert.equal(events(obs, 'det3', 'stale')[0].model, 0);
    for (let k = 0; k < 3; k++) await publishSample(obs, 'm3', 2_000_000 + k * 1000);
    const fresh = await eventually(() => events(obs, 'det3', 'fresh')[0], 'fresh again', { clocks: [b.clock] });
    assert.equal(fresh.model, 0);
    assert.equal(fresh.class, undefined, 'no model, no class: never called normal');
    // Within the stale timeout of the last sample, the alarm stays off.
    const changes = b.alarm.length;
    b.clock.advance(1500);
    assert.equal(b.alarm.length, changes, 'the alarm stopped blinking');
    assert.equal(b.board.gpioLevel(4), 0);
  });
});
