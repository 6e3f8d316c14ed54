import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import type { EmbeddedBroker } from '../../host/broker/embedded.ts';
import { setFlows, loadFlow } from '../helpers/nodered.ts';
import { useBroker } from '../helpers/broker-fixture.ts';

interface Got {
  topic: string;
  body: Record<string, unknown>;
}

/** Subscribe, deploy, and collect exactly `count` messages. */
async function run(broker: EmbeddedBroker, env: Record<string, string>, count: number): Promise<Got[]> {
  const sub: MqttClient = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  await sub.subscribeAsync(['esp/+/modbus', 'esp/+/modbus/truth'], { qos: 1 });
  const got: Got[] = [];
  const done = new Promise<void>((resolve) => {
    sub.on('message', (topic, payload) => {
      got.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> });
      if (got.length === count) resolve();
    });
  });
  await setFlows(loadFlow('meter-gateway', { JW_MQTT_HOST: '127.0.0.1', JW_MQTT_PORT: String(broker.port), ...env }));
  await done;
  await setFlows([]); // stop publishing before the subscriber goes
  await sub.endAsync();
  return got;
}

describe('flow: meter-gateway (Node-RED meter simulator)', function () {
  this.timeout(20_000);
  const fx = useBroker({ nodeRed: true });
  let broker: EmbeddedBroker;
  before(() => {
    broker = fx.broker;
  });

  it('publishes every register of every meter each tick, with the scheduled sag, swell and frequency excursion', async () => {
    const T0 = 1_767_225_600_000;
    const ticks = 30;
    const meters = ['m1', 'm2'];
    const schedule = [
      { kind: 'sag', start: 5, ticks: 3, depth: 0.3, meter: 'm1' },
      { kind: 'swell', start: 10, ticks: 3, depth: 0.15 },
      { kind: 'freq', start: 15, ticks: 3, depth: -1.5 },
    ];
    const got = await run(
      broker,
      {
        JW_METERS: meters.join(','),
        JW_METER_INTERVAL: '0.005',
        JW_METER_TICKS: String(ticks),
        JW_METER_T0: String(T0),
        JW_METER_SCHEDULE: JSON.stringify(schedule),
        JW_METER_CYCLE: '20',
        JW_METER_TRUTH: '1',
        JW_METER_SEED: '7',
      },
      ticks * meters.length * 6,
    );
    const expectClass = (meter: string, tick: number): string => {
      const p = tick % 20;
      for (const e of schedule) if ((!e.meter || e.meter === meter) && p >= e.start && p < e.start + e.ticks) return e.kind;
      return 'normal';
    };
    for (const meter of meters) {
      const readings = got.filter((g) => g.topic === `esp/${meter}/modbus`).map((g) => g.body);
      const truth = got.filter((g) => g.topic === `esp/${meter}/modbus/truth`).map((g) => g.body);
      assert.equal(readings.length, ticks * 5, meter);
      assert.deepEqual(
        truth.map((t) => t.class),
        Array.from({ length: ticks }, (_, k) => expectClass(meter, k)),
        `${meter} ground truth`,
      );
      const reg = (r: number) => readings.filter((b) => b.register === r);
      for (const r of [1006, 1007, 1009, 1010, 1011]) {
        assert.deepEqual(reg(r).map((b) => b.ts), Array.from({ length: ticks }, (_, k) => T0 + k * 5), `${meter} ${r} ts`);
        for (const b of reg(r)) assert.ok(Number.isInteger(b.raw), `${meter} ${r} raw is an integer`);
      }
      for (let k = 0; k < ticks; k++) {
        const cls = expectClass(meter, k);
        const v = (reg(1009)[k]!.raw as number) / 10;
        const f = (reg(1010)[k]!.raw as number) / 100;
        const i = (reg(1006)[k]!.raw as number) / 1000;
        const p = reg(1007)[k]!.raw as number;
        const thd = (reg(1011)[k]!.raw as number) / 10;
        const kv = cls === 'sag' ? 0.7 : cls === 'swell' ? 1.15 : 1;
        assert.ok(Math.abs(v - 230 * kv) <= 230 * kv * 0.006, `${meter} tick ${k} ${cls}: voltage ${v}`);
        const fNom = cls === 'freq' ? 48.5 : 50;
        assert.ok(Math.abs(f - fNom) <= 0.025, `${meter} tick ${k} ${cls}: frequency ${f}`);
        const iNom = (meter === 'm1' ? 5 : 7) * kv;
        assert.ok(Math.abs(i - iNom) <= iNom * 0.021, `${meter} tick ${k}: current ${i}`);
        assert.ok(Math.abs(p - v * i * 0.95) <= 2, `${meter} tick ${k}: power ${p} vs ${v * i * 0.95}`);
        assert.ok(thd >= (cls === 'swell' ? 3.1 : 2.1) && thd <= (cls === 'swell' ? 3.9 : 2.9), `${meter} tick ${k} ${cls}: THD ${thd}`);
      }
    }
  });

  it('is deterministic for a seed, and uses the old field names with JW_METER_LEGACY=1 and no THD register when told', async () => {
    const env = { JW_METERS: 'a', JW_METER_INTERVAL: '0.005', JW_METER_TICKS: '3', JW_METER_T0: '1000', JW_METER_SEED: '3' };
    const legacy = await run(broker, { ...env, JW_METER_LEGACY: '1', JW_METER_THD_REGISTER: '' }, 12);
    assert.deepEqual(Object.keys(legacy[0]!.body).sort(), ['Raw data', 'Start register', 'ts']);
    assert.deepEqual([...new Set(legacy.map((g) => g.body['Start register']))].sort(), [1006, 1007, 1009, 1010]);
    const modern = await run(broker, env, 15);
    assert.deepEqual(Object.keys(modern[0]!.body).sort(), ['raw', 'register', 'ts']);
    const again = await run(broker, env, 15);
    assert.deepEqual(again, modern);
    // Same seed, same readings whatever the field names.
    const fromLegacy = legacy.map((g) => [g.body['Start register'], g.body['Raw data'], g.body.ts]);
    const fromModern = modern.filter((g) => g.body.register !== 1011).map((g) => [g.body.register, g.body.raw, g.body.ts]);
    assert.deepEqual(fromLegacy, fromModern);
  });
});
