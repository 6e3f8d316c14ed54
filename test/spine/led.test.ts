import assert from 'node:assert/strict';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { ensureBundle, eventually, makeBoard, Observer, type TestBoard } from './util.ts';

describe('LED commands end to end (aedes, simulated board)', function () {
  let broker: EmbeddedBroker;
  let obs: Observer;
  const boards: TestBoard[] = [];

  before(async () => {
    await ensureBundle();
    broker = await startEmbeddedBroker();
    obs = await Observer.connect(broker.url);
  });
  after(async () => {
    for (const b of boards) b.dispose();
    await obs.close();
    await broker.close();
  });

  async function online(id: string): Promise<TestBoard> {
    const tb = makeBoard(id, broker.url);
    boards.push(tb);
    tb.board.boot();
    await eventually(() => obs.last(`esp/${id}/status`)?.json?.online === true && obs.last(`esp/${id}/led/state`), `${id} online`, { clocks: [tb.clock] });
    return tb;
  }

  it('turns the LED on and off on one device, reporting the state retained', async () => {
    const { board, clock } = await online('led1');
    const birth = obs.last('esp/led1/status')!;
    assert.equal(birth.json.app, 1);
    assert.equal(birth.json.resetReason, 'poweron');
    assert.equal(board.gpioLevel(2), 0);
    await obs.publish('esp/led1/led/set', 'on');
    const on = await eventually(() => obs.on('esp/led1/led/state').find((m) => m.json.state === 'on'), 'state on', { clocks: [clock] });
    assert.equal(on.json.pin, 2);
    assert.equal(board.gpioLevel(2), 1);
    await obs.publish('esp/led1/led/set', '{"state":"toggle","id":"t1"}');
    await eventually(() => obs.on('esp/led1/led/state').find((m) => m.json.id === 't1'), 'toggle report', { clocks: [clock] });
    assert.equal(board.gpioLevel(2), 0);
    // The retained state is what a newcomer sees.
    const late = await Observer.connect(broker.url, 'esp/led1/led/state');
    const retained = await eventually(() => late.messages[0], 'retained state');
    await late.close();
    assert.equal(retained.retain, true);
    assert.equal(retained.json.state, 'off');
  });

  it('applies a repeated command id once (QoS 1 may deliver twice)', async () => {
    const { board, clock } = await online('led2');
    await obs.publish('esp/led2/led/set', '{"state":"toggle","id":"same"}');
    await eventually(() => board.gpioLevel(2) === 1, 'first toggle', { clocks: [clock] });
    await obs.publish('esp/led2/led/set', '{"state":"toggle","id":"same"}');
    await obs.publish('esp/led2/led/set', '{"state":"on","id":"after"}');
    await eventually(() => obs.on('esp/led2/led/state').find((m) => m.json.id === 'after'), 'next command', { clocks: [clock] });
    assert.equal(board.gpioLevel(2), 1, 'the duplicate toggle must not have switched the LED off');
    assert.equal(obs.on('esp/led2/led/state').filter((m) => m.json.id === 'same').length, 1);
  });

  it('blinks on the board clock and settles in the commanded state', async () => {
    const { board, clock } = await online('led3');
    const levels: number[] = [];
    board.on('gpio', (pin, level) => pin == 4 && levels.push(level));
    await obs.publish('esp/led3/led/set', '{"state":"on","pin":4,"blink":{"periodMs":100,"count":3},"id":"b"}');
    await eventually(() => obs.on('esp/led3/led/state').find((m) => m.json.id === 'b' && m.json.blinking), 'blink start', { clocks: [clock], stepMs: 1 });
    clock.advance(1000);
    await eventually(() => obs.on('esp/led3/led/state').find((m) => m.json.id === 'b' && !m.json.blinking), 'blink end');
    assert.deepEqual(levels, [1, 0, 1, 0, 1, 0, 1], 'three blinks, then the commanded state');
    assert.equal(board.gpioLevel(4), 1);
  });

  it('the fleet topic reaches every device', async () => {
    const tbs = [await online('fleet1'), await online('fleet2'), await online('fleet3')];
    await obs.publish('esp/all/led/set', '{"state":"on","id":"all-1"}');
    const ids = ['fleet1', 'fleet2', 'fleet3'];
    await eventually(() => ids.every((id) => obs.on(`esp/${id}/led/state`).some((m) => m.json.id === 'all-1')), 'all report', { clocks: tbs.map((t) => t.clock) });
    for (const t of tbs) assert.equal(t.board.gpioLevel(2), 1, t.board.deviceId);
  });

  it('publishes periodic health', async () => {
    const tb = makeBoard('health1', broker.url, { settings: { healthSec: 10 } as never });
    boards.push(tb);
    tb.board.boot();
    const h = await eventually(() => obs.last('esp/health1/health'), 'health', { clocks: [tb.clock], stepMs: 500 });
    assert.ok(h.json.uptimeMs >= 10000);
    assert.equal(h.json.mqttConnects, 1);
    assert.equal(h.json.heap.jsSize, 96 * 1024);
  });
});
