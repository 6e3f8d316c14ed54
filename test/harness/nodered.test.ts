import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import type { EmbeddedBroker } from '../../host/broker/embedded.ts';
import { startNodeRed, setFlows, loadFlow } from '../helpers/nodered.ts';
import { useBroker } from '../helpers/broker-fixture.ts';

describe('test harness: embedded Node-RED with the LED publisher flow', function () {
  this.timeout(20_000);
  const fx = useBroker({ nodeRed: true });
  let broker: EmbeddedBroker;
  before(() => {
    broker = fx.broker;
  });

  it('startNodeRed() is idempotent: later calls share the first start, and running flows keep running', async () => {
    assert.strictEqual(startNodeRed(), startNodeRed(), 'a second call started another runtime');
    // A flow publishing without end; a second init of the runtime would stop it.
    const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    await sub.subscribeAsync('esp/idem/led/set', { qos: 0 });
    let count = 0;
    let wake: () => void = () => {};
    sub.on('message', () => {
      count++;
      wake();
    });
    const atLeast = (n: number) => new Promise<void>((resolve) => (wake = () => count >= n && resolve())).then(() => undefined);
    const first = atLeast(1);
    await setFlows(loadFlow('led-publisher', { JW_MQTT_HOST: '127.0.0.1', JW_MQTT_PORT: String(broker.port), JW_DEVICES: 'idem', JW_LED_INTERVAL: '0.02', JW_LED_ROUNDS: '100000', JW_LED_COMMANDS: '["toggle"]' }));
    await first;
    await startNodeRed();
    await startNodeRed();
    const seen = count;
    await atLeast(seen + 3);
    await setFlows([]);
    await sub.endAsync();
    assert.ok(count >= seen + 3, `the flow stopped after startNodeRed(): ${count} messages`);
  });

  it('loadFlow refuses a flow whose ${VAR} is not set', () => {
    delete process.env.JW_MQTT_HOST;
    assert.throws(() => loadFlow('led-publisher', { JW_MQTT_PORT: '1', JW_DEVICES: 'a', JW_LED_INTERVAL: '1' }), /JW_MQTT_HOST/);
  });

  it('loadFlow clears parameters a previous test set, whichever way the flow reads them', () => {
    process.env.JW_METER_CYCLE = '5'; // read through the flow's num() helper, not env.get directly
    process.env.JW_LED_ROUNDS = '3';
    loadFlow('meter-gateway', { JW_MQTT_HOST: '127.0.0.1', JW_MQTT_PORT: '1', JW_METER_INTERVAL: '1' });
    loadFlow('led-publisher', { JW_MQTT_HOST: '127.0.0.1', JW_MQTT_PORT: '1', JW_DEVICES: 'a', JW_LED_INTERVAL: '1' });
    assert.equal(process.env.JW_METER_CYCLE, undefined);
    assert.equal(process.env.JW_LED_ROUNDS, undefined);
  });

  it('publishes every command, in order, to every device id, on the broker port from the environment', async () => {
    const devices = ['dev1', 'dev2', 'dev3'];
    const rounds = 5;
    const commands = ['on', 'off', 'toggle', { state: 'on', pin: 4 }, { state: 'toggle', blink: { periodMs: 100, count: 2 } }];
    const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    await sub.subscribeAsync('esp/+/led/set', { qos: 1 });
    const got = new Map<string, string[]>(devices.map((d) => [d, []]));
    let total = 0;
    const all = new Promise<void>((resolve) => {
      sub.on('message', (topic, payload) => {
        const dev = topic.split('/')[1]!;
        got.get(dev)?.push(payload.toString());
        if (++total === devices.length * rounds) resolve();
      });
    });
    await setFlows(
      loadFlow('led-publisher', {
        JW_MQTT_HOST: '127.0.0.1',
        JW_MQTT_PORT: String(broker.port),
        JW_DEVICES: devices.join(','),
        JW_LED_INTERVAL: '0.02',
        JW_LED_ROUNDS: String(rounds),
        JW_LED_COMMANDS: JSON.stringify(commands),
      }),
    );
    await all;
    await sub.endAsync();
    for (const dev of devices) {
      const msgs = got.get(dev)!;
      assert.deepEqual(msgs.slice(0, 3), ['on', 'off', 'toggle'], dev);
      assert.deepEqual(JSON.parse(msgs[3]!), { id: `nr-${dev}-3`, state: 'on', pin: 4 });
      assert.deepEqual(JSON.parse(msgs[4]!), { id: `nr-${dev}-4`, state: 'toggle', blink: { periodMs: 100, count: 2 } });
    }
    assert.equal(total, devices.length * rounds);
  });

  it('setFlows can swap flows in the same runtime (second deploy, other devices)', async () => {
    const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    await sub.subscribeAsync('esp/+/led/set', { qos: 1 });
    const seen = new Set<string>();
    const both = new Promise<void>((resolve) => {
      sub.on('message', (topic) => {
        seen.add(topic);
        if (seen.has('esp/a1/led/set') && seen.has('esp/b2/led/set')) resolve();
      });
    });
    await setFlows(loadFlow('led-publisher', { JW_MQTT_HOST: '127.0.0.1', JW_MQTT_PORT: String(broker.port), JW_LED_INTERVAL: '0.02', JW_DEVICES: 'a1,b2', JW_LED_ROUNDS: '2', JW_LED_COMMANDS: '["on"]' }));
    await both;
    await sub.endAsync();
    assert.deepEqual([...seen].sort(), ['esp/a1/led/set', 'esp/b2/led/set']);
  });
});
