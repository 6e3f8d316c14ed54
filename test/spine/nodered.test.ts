import assert from 'node:assert/strict';
import type { EmbeddedBroker } from '../../host/broker/embedded.ts';
import { loadFlow, setFlows } from '../helpers/nodered.ts';
import { useBroker } from '../helpers/broker-fixture.ts';
import { ensureBundle, eventually, makeBoard, Observer, type TestBoard } from './util.ts';

describe('Node-RED publisher flow commands several simulated devices', function () {
  let broker: EmbeddedBroker;
  let obs: Observer;
  const boards: TestBoard[] = [];
  const ids = ['nr1', 'nr2', 'nr3'];

  const fx = useBroker({ nodeRed: true });
  before(async () => {
    await ensureBundle();
    ({ broker, obs } = fx);
    for (const id of ids) {
      const tb = makeBoard(id, broker.url);
      boards.push(tb);
      tb.board.boot();
    }
    await eventually(() => ids.every((id) => obs.last(`esp/${id}/led/state`)), 'devices online', { clocks: boards.map((b) => b.clock) });
  });
  after(() => {
    for (const b of boards) b.dispose();
  });

  it('every device applies every round, in order, and ends in the last commanded state', async () => {
    const commands = [{ state: 'on' }, { state: 'off' }, { state: 'toggle' }, { state: 'on', pin: 4 }];
    await setFlows(
      loadFlow('led-publisher', {
        JW_MQTT_HOST: '127.0.0.1',
        JW_MQTT_PORT: String(broker.port),
        JW_DEVICES: ids.join(','),
        JW_LED_INTERVAL: '0.05',
        JW_LED_ROUNDS: String(commands.length),
        JW_LED_COMMANDS: JSON.stringify(commands),
      }),
    );
    const reportsFor = (id: string) => obs.on(`esp/${id}/led/state`).filter((m) => typeof m.json.id === 'string' && m.json.id.startsWith('nr-'));
    await eventually(() => ids.every((id) => reportsFor(id).length === commands.length), 'all rounds applied', { clocks: boards.map((b) => b.clock) });
    for (const [i, id] of ids.entries()) {
      const seq = reportsFor(id).map((m) => `${m.json.pin}:${m.json.state}`);
      assert.deepEqual(seq, ['2:on', '2:off', '2:on', '4:on'], id);
      assert.equal(boards[i]!.board.gpioLevel(2), 1);
      assert.equal(boards[i]!.board.gpioLevel(4), 1);
    }
  });
});
