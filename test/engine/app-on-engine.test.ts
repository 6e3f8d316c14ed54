/**
 * The device app on the real engine: JerryScript 3.0 built from JERRYSCRIPT_PATH with build/engine-config.json,
 * the C bindings and the POSIX twin (jw-sim) with a 64 KB JS heap, running the static-snapshot app image in place
 * from a read-only mapping, against the embedded broker. LED commands and bad input behave as on the V8 board.
 */
import assert from 'node:assert/strict';
import { eventually } from '../spine/util.ts';
import { runtime, staticImage } from './engine-fixture.ts';
import { EngineBoard } from './engine-board.ts';
import { requireEngine } from './engine-env.ts';
import { useBroker } from '../helpers/broker-fixture.ts';

describe('the device app on the real engine (JerryScript 3.0 + C bindings + POSIX twin)', function () {
  this.timeout(180_000);
  let bin: string;
  let image: string;
  const boards: EngineBoard[] = [];

  before(async function () {
    const jp = requireEngine(this);
    bin = runtime(jp, 64);
    image = (await staticImage()).imagePath;
  });
  after(async () => {
    for (const b of boards) await b.dispose();
  });
  // Registered after the boards' after-hook: the boards are disposed before the broker closes.
  const fx = useBroker();

  async function online(id: string): Promise<EngineBoard> {
    const b = new EngineBoard({ bin, image, settings: { deviceId: id, brokerUrl: fx.url, healthSec: 0, backoffMinMs: 200, backoffMaxMs: 2000 } });
    boards.push(b);
    b.start();
    await eventually(() => fx.obs.last(`esp/${id}/status`)?.json?.online === true && fx.obs.last(`esp/${id}/led/state`), `${id} online\n${b.log()}`, { rounds: 3000 });
    return b;
  }

  it('boots, reports online and switches the LED on command', async () => {
    const b = await online('eng1');
    const birth = fx.obs.last('esp/eng1/status')!;
    assert.equal(birth.json.engine, 'jerryscript-3.0.0');
    assert.equal(birth.json.resetReason, 'poweron');
    await fx.obs.publish('esp/eng1/led/set', '{"state":"on","id":"e1"}');
    const on = await eventually(() => fx.obs.on('esp/eng1/led/state').find((m) => m.json.id === 'e1'), `state on\n${b.log()}`, { rounds: 2000 });
    assert.equal(on.json.state, 'on');
    assert.match(b.log(), /gpio 2 = 1/);
  });

  it('answers bad input on the error topic and keeps running', async () => {
    const b = await online('eng2');
    await fx.obs.publish('esp/eng2/led/set', '{"state":"purple"}');
    const err = await eventually(() => fx.obs.last('esp/eng2/error'), `error report\n${b.log()}`, { rounds: 2000 });
    assert.match(err.text, /state/);
    await fx.obs.publish('esp/eng2/led/set', 'on');
    await eventually(() => fx.obs.on('esp/eng2/led/state').find((m) => m.json.state === 'on'), 'still answers', { rounds: 2000 });
    assert.ok(b.running, 'the runtime must still run');
  });
});
