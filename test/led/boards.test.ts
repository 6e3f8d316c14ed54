/**
 * LED commands exactly once on both boards (test/helpers/boards.ts): the simulated board and, with JERRYSCRIPT_PATH,
 * the real engine through the C bindings and NVS. A sequenced command is applied once, a duplicate is dropped, and
 * a retained one is not applied again after a power cut.
 */
import assert from 'node:assert/strict';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { describeOnBoards, type BoardUnderTest } from '../helpers/boards.ts';
import { ensureBundle, eventually, Observer } from '../spine/util.ts';

describeOnBoards('LED commands exactly once (aedes)', (kind) => {
  let broker: EmbeddedBroker;
  let obs: Observer;
  const boards: BoardUnderTest[] = [];
  before(async () => {
    await ensureBundle();
    broker = await startEmbeddedBroker();
    obs = await Observer.connect(broker.url);
  });
  after(async () => {
    for (const b of boards) await b.dispose();
    await obs?.close();
    await broker?.close();
  });

  it('a sequenced command: applied once, its duplicate dropped, and a retained one not applied again after a power cut', async function () {
    this.timeout(60_000);
    const id = 'once1';
    const b = kind.make(id, broker.url);
    boards.push(b);
    const levels: number[] = [];
    b.onGpio((pin, level) => pin === 2 && levels.push(level));
    const onlineSince = async (n: number) =>
      eventually(() => obs.on(`esp/${id}/status`).slice(n).some((m) => m.json?.online === true) && obs.last(`esp/${id}/led/state`), `${id} online`, { clocks: [b.clock], rounds: 4000 });
    b.boot();
    await onlineSince(0);
    const reports = (cmdId: string) => obs.on(`esp/${id}/led/state`).filter((m) => m.json?.id === cmdId).length;
    const cmd = JSON.stringify({ state: 'toggle', id: 'a1', from: 'alice', seq: 1 });
    await obs.client.publishAsync(`esp/${id}/led/set`, cmd, { qos: 1, retain: true });
    await obs.client.publishAsync(`esp/${id}/led/set`, cmd, { qos: 1 }); // the same command again (QoS 1 redelivery)
    await obs.publish(`esp/${id}/led/set`, JSON.stringify({ state: 'on', id: 'm1', from: 'bob', seq: 1 }));
    await eventually(() => reports('m1'), 'marker', { clocks: [b.clock], rounds: 4000 });
    assert.equal(reports('a1'), 1, 'applied once');
    assert.equal(levels.filter((l) => l === 0).length, 1, 'the LED went off only at init: the duplicate toggle did not switch it back');
    await b.powerCut();
    const since = obs.on(`esp/${id}/status`).length;
    b.boot();
    await onlineSince(since);
    await obs.publish(`esp/${id}/led/set`, JSON.stringify({ state: 'off', id: 'm2', from: 'bob', seq: 2 }));
    await eventually(() => reports('m2'), 'marker after the boot', { clocks: [b.clock], rounds: 4000 });
    assert.equal(reports('a1'), 1, 'the retained command was not applied again at the boot');
    await obs.client.publishAsync(`esp/${id}/led/set`, '', { qos: 1, retain: true });
  });
});
