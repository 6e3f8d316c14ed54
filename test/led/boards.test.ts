/**
 * LED commands exactly once on both boards (test/helpers/boards.ts): the simulated board and, with JERRYSCRIPT_PATH,
 * the real engine through the C bindings and NVS. A sequenced command is applied once, a duplicate is dropped, and
 * a retained one is not applied again after a power cut.
 */
import assert from 'node:assert/strict';
import { describeOnBoards, type BoardUnderTest } from '../helpers/boards.ts';
import { ensureBundle, eventually } from '../spine/util.ts';
import { useBroker } from '../helpers/broker-fixture.ts';

describeOnBoards('LED commands exactly once (aedes)', (kind) => {
  const boards: BoardUnderTest[] = [];
  before(async () => {
    await ensureBundle();
  });
  after(async () => {
    for (const b of boards) await b.dispose();
  });
  // Registered after the boards' after-hook: the boards are disposed before the broker closes.
  const fx = useBroker();

  it('a sequenced command: applied once, its duplicate dropped, and a retained one not applied again after a power cut', async function () {
    this.timeout(60_000);
    const id = 'once1';
    const b = kind.make(id, fx.url);
    boards.push(b);
    const levels: number[] = [];
    b.onGpio((pin, level) => pin === 2 && levels.push(level));
    const onlineSince = async (n: number) =>
      eventually(() => fx.obs.on(`esp/${id}/status`).slice(n).some((m) => m.json?.online === true) && fx.obs.last(`esp/${id}/led/state`), `${id} online`, { clocks: [b.clock], rounds: 4000 });
    b.boot();
    await onlineSince(0);
    const reports = (cmdId: string) => fx.obs.on(`esp/${id}/led/state`).filter((m) => m.json?.id === cmdId).length;
    const cmd = JSON.stringify({ state: 'toggle', id: 'a1', from: 'alice', seq: 1 });
    await fx.obs.client.publishAsync(`esp/${id}/led/set`, cmd, { qos: 1, retain: true });
    await fx.obs.client.publishAsync(`esp/${id}/led/set`, cmd, { qos: 1 }); // the same command again (QoS 1 redelivery)
    await fx.obs.publish(`esp/${id}/led/set`, JSON.stringify({ state: 'on', id: 'm1', from: 'bob', seq: 1 }));
    await eventually(() => reports('m1'), 'marker', { clocks: [b.clock], rounds: 4000 });
    assert.equal(reports('a1'), 1, 'applied once');
    assert.equal(levels.filter((l) => l === 0).length, 1, 'the LED went off only at init: the duplicate toggle did not switch it back');
    await b.powerCut();
    const since = fx.obs.on(`esp/${id}/status`).length;
    b.boot();
    await onlineSince(since);
    await fx.obs.publish(`esp/${id}/led/set`, JSON.stringify({ state: 'off', id: 'm2', from: 'bob', seq: 2 }));
    await eventually(() => reports('m2'), 'marker after the boot', { clocks: [b.clock], rounds: 4000 });
    assert.equal(reports('a1'), 1, 'the retained command was not applied again at the boot');
    await fx.obs.client.publishAsync(`esp/${id}/led/set`, '', { qos: 1, retain: true });
  });
});
