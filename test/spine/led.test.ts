import assert from 'node:assert/strict';
import { describeOnBoards, type BoardUnderTest } from '../helpers/boards.ts';
import { ensureBundle, eventually, Observer } from './util.ts';
import { useBroker } from '../helpers/broker-fixture.ts';

describeOnBoards('LED commands end to end (aedes)', (kind) => {
  const boards: BoardUnderTest[] = [];

  before(async () => {
    await ensureBundle();
  });
  after(async () => {
    for (const b of boards) await b.dispose();
  });
  // Registered after the boards' after-hook: the boards are disposed before the broker closes.
  const fx = useBroker();

  async function online(id: string): Promise<BoardUnderTest> {
    const b = kind.make(id, fx.url);
    boards.push(b);
    b.boot();
    await eventually(() => fx.obs.last(`esp/${id}/status`)?.json?.online === true && fx.obs.last(`esp/${id}/led/state`), `${id} online`, { clocks: [b.clock] });
    return b;
  }

  it('turns the LED on and off on one device, reporting the state retained', async () => {
    const b = await online('led1');
    const birth = fx.obs.last('esp/led1/status')!;
    assert.equal(birth.json.app, 1);
    assert.equal(birth.json.resetReason, 'poweron');
    assert.equal(birth.json.engine, kind.name === 'native' ? 'jerryscript-3.0.0' : 'node-sim');
    assert.equal(b.gpioLevel(2), 0);
    await fx.obs.publish('esp/led1/led/set', 'on');
    const on = await eventually(() => fx.obs.on('esp/led1/led/state').find((m) => m.json.state === 'on'), 'state on', { clocks: [b.clock] });
    assert.equal(on.json.pin, 2);
    // On the native board the pin event comes on its own pipe, beside the MQTT report: wait for it.
    await eventually(() => b.gpioLevel(2) === 1, 'pin 2 high', { clocks: [b.clock] });
    await fx.obs.publish('esp/led1/led/set', '{"state":"toggle","id":"t1"}');
    await eventually(() => fx.obs.on('esp/led1/led/state').find((m) => m.json.id === 't1'), 'toggle report', { clocks: [b.clock] });
    await eventually(() => b.gpioLevel(2) === 0, 'pin 2 low', { clocks: [b.clock] });
    // The retained state is what a newcomer sees.
    const late = await Observer.connect(fx.url, 'esp/led1/led/state');
    const retained = await eventually(() => late.messages[0], 'retained state');
    await late.close();
    assert.equal(retained.retain, true);
    assert.equal(retained.json.state, 'off');
  });

  it('applies a repeated command id once (QoS 1 may deliver twice)', async () => {
    const b = await online('led2');
    await fx.obs.publish('esp/led2/led/set', '{"state":"toggle","id":"same"}');
    await eventually(() => b.gpioLevel(2) === 1, 'first toggle', { clocks: [b.clock] });
    await fx.obs.publish('esp/led2/led/set', '{"state":"toggle","id":"same"}');
    await fx.obs.publish('esp/led2/led/set', '{"state":"on","id":"after"}');
    await eventually(() => fx.obs.on('esp/led2/led/state').find((m) => m.json.id === 'after'), 'next command', { clocks: [b.clock] });
    assert.equal(b.gpioLevel(2), 1, 'the duplicate toggle must not have switched the LED off');
    assert.equal(fx.obs.on('esp/led2/led/state').filter((m) => m.json.id === 'same').length, 1);
  });

  it('blinks on the board clock and settles in the commanded state', async () => {
    const b = await online('led3');
    const levels: number[] = [];
    b.onGpio((pin, level) => pin == 4 && levels.push(level));
    await fx.obs.publish('esp/led3/led/set', '{"state":"on","pin":4,"blink":{"periodMs":100,"count":3},"id":"b"}');
    await eventually(() => fx.obs.on('esp/led3/led/state').find((m) => m.json.id === 'b' && m.json.blinking), 'blink start', { clocks: [b.clock], stepMs: 1 });
    b.clock.advance(1000);
    await eventually(() => fx.obs.on('esp/led3/led/state').find((m) => m.json.id === 'b' && !m.json.blinking), 'blink end');
    await eventually(() => levels.length >= 7, 'every pin change'); // native: pin events come on their own pipe
    assert.deepEqual(levels, [1, 0, 1, 0, 1, 0, 1], 'three blinks, then the commanded state');
    assert.equal(b.gpioLevel(4), 1);
  });

  it('the fleet topic reaches every device', async () => {
    const bs = [await online('fleet1'), await online('fleet2'), await online('fleet3')];
    await fx.obs.publish('esp/all/led/set', '{"state":"on","id":"all-1"}');
    const ids = ['fleet1', 'fleet2', 'fleet3'];
    await eventually(() => ids.every((id) => fx.obs.on(`esp/${id}/led/state`).some((m) => m.json.id === 'all-1')), 'all report', { clocks: bs.map((t) => t.clock) });
    await eventually(() => bs.every((t) => t.gpioLevel(2) === 1), 'every pin 2 high', { clocks: bs.map((t) => t.clock) });
  });

  // Native: a 1 s period (real time); V8: 10 s of manual clock.
  it('publishes periodic health with the heap the board has', async () => {
    const period = kind.name === 'native' ? 1 : 10;
    const b = kind.make('health1', fx.url, { settings: { healthSec: period } });
    boards.push(b);
    b.boot();
    const h = await eventually(() => fx.obs.last('esp/health1/health'), 'health', { clocks: [b.clock], stepMs: 500 });
    assert.ok(h.json.uptimeMs >= period * 1000);
    assert.equal(h.json.mqttConnects, 1);
    if (kind.name === 'v8') assert.equal(h.json.heap.jsSize, 96 * 1024);
    else {
      // The engine's heap is the configured 96 KB less its own header.
      assert.ok(h.json.heap.jsSize > 95 * 1024 && h.json.heap.jsSize <= 96 * 1024, JSON.stringify(h.json.heap));
      // The engine's own statistics: used and peak are real figures within the heap.
      assert.ok(h.json.heap.jsUsed > 0 && h.json.heap.jsUsed <= h.json.heap.jsSize, JSON.stringify(h.json.heap));
      assert.ok(h.json.heap.jsPeak >= h.json.heap.jsUsed, JSON.stringify(h.json.heap));
    }
  });
});
