import assert from 'node:assert/strict';
import type { EmbeddedBroker } from '../../host/broker/embedded.ts';
import { useBroker } from '../helpers/broker-fixture.ts';
import { trainMeterModel } from '../../host/meters/model.ts';
import { loadMeterDataset } from '../../host/pipeline/meter/index.ts';
import { fitDataset, FIT_DEFAULTS } from '../../host/pipeline/fit/index.ts';
import { packModel } from '../../host/model/pack.ts';
import { eventually, Observer } from '../spine/util.ts';
import { events, meterBoard, otaKeys, otaModel, publishSample, samplePayloads, type MeterBoard } from './helpers.ts';

describe('meter: bad telemetry and bad models on the simulated board', function () {
  this.timeout(60_000);
  const fx = useBroker();
  let broker: EmbeddedBroker;
  let obs: Observer;
  let model: Uint8Array;
  const boards: MeterBoard[] = [];
  before(async () => {
    ({ broker, obs } = fx);
    model = (await trainMeterModel({ version: 3, seed: 4 })).bytes;
  });
  after(async () => {
    for (const b of boards) b.dispose();
  });

  it('counts unknown registers, non-numeric and out-of-range values, out-of-order ts and floods on the error topic, rate-limited', async () => {
    const b = await meterBoard('bad1', fx, { meters: 'm1', model });
    boards.push(b);
    const errors = () => obs.on('esp/bad1/error').map((m) => m.json).filter((j) => j.meter === 'm1');
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, c) => a + c, 0);
    await publishSample(obs, 'm1', 10_000);
    const bad: string[] = [];
    for (let k = 0; k < 10; k++) {
      bad.push(JSON.stringify({ register: 1234, raw: 1, ts: 20_000 + k }));
      bad.push(JSON.stringify({ register: 1009, raw: 'high', ts: 20_000 + k }));
      bad.push(JSON.stringify({ register: 1009, raw: 99_999_999_999, ts: 20_000 + k }));
      bad.push(JSON.stringify({ register: 1006, raw: 5000, ts: 5_000 + k }));
      bad.push(k % 2 ? 'not json at all' : '\u0000\u00ff{');
    }
    for (const p of bad) await obs.publish('esp/m1/modbus', p);
    await eventually(() => errors().some((e) => sum(e.totals) === 50), 'all 50 bad readings counted', { clocks: [b.clock], stepMs: 100 });
    const last = errors().find((e) => sum(e.totals) === 50)!;
    assert.deepEqual(last.totals, { malformed: 10, unknownRegister: 10, badValue: 10, outOfRange: 10, outOfOrder: 10 });
    assert.match(last.error, /bad telemetry from meter m1/);
    assert.ok(errors().length <= 3, `${errors().length} error messages for 50 bad readings`);
    // A flood: 1,000 well-formed readings at once, the device clock standing still: 100 (the burst) pass.
    b.clock.advance(6000);
    const before = errors().length;
    await Promise.all(Array.from({ length: 200 }, (_, k) => publishSample(obs, 'm1', 30_000 + k * 1000, 230, [], 0)));
    // The device clock must stand still until the device has them all: wait (real time, clock frozen) until the
    // broker has delivered the whole flood to the observer, which shares the device's path, then a little more.
    const flood = () => obs.on('esp/m1/modbus').filter((m) => typeof m.json?.ts === 'number' && m.json.ts >= 30_000).length;
    await eventually(() => flood() >= 1000, 'the flood delivered', { rounds: 2000 });
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    b.clock.advance(5000);
    await eventually(() => errors().some((e) => e.totals.flood === 900), 'flood counted', { clocks: [b.clock], stepMs: 100, rounds: 200 });
    assert.ok(errors().length - before <= 2, `${errors().length - before} error messages for a flood of 900`);
    assert.equal(events(obs, 'bad1', 'start').length, 0, 'bad telemetry never raised an anomaly');
  });

  it('refuses a model with features the device cannot compute (reason on the OTA status), keeps the old one, and takes over a good one without a restart', async () => {
    const keys = otaKeys();
    const b = await meterBoard('bad2', fx, { meters: 'm2', model, settings: { otaPubKey: keys.pubDer } });
    boards.push(b);
    const boots = b.board.boots;
    const { dataset } = await loadMeterDataset({ samples: 600, meters: 1, seed: 5 });
    const fit = await fitDataset({ ...dataset, featureNames: ['rmsVoltage', ...dataset.featureNames.slice(1)] }, { ...FIT_DEFAULTS, target: 'class', trees: 4, maxDepth: 6, workers: 1 });
    const alien = packModel(fit.model, { modelVersion: 4 }).bytes;
    await otaModel(broker.url, b, keys.priv, alien, 4);
    await eventually(() => obs.last('esp/bad2/ota/status')?.json?.state === 'rejected', 'refusal on the OTA status', { clocks: [b.clock] });
    const st = obs.last('esp/bad2/ota/status')!;
    // Retained: a late reader (jerrywatt ota status) sees the refusal, not the receiver's "accepted".
    const late = await Observer.connect(broker.url, 'esp/bad2/ota/status');
    await eventually(() => late.messages.length > 0, 'retained status');
    assert.equal(late.messages[0]!.json.state, 'rejected');
    await late.close();
    assert.equal(st.json.version, 4);
    assert.ok(!obs.on('esp/bad2/ota/status').some((m) => m.json?.version === 4 && m.json?.state === 'accepted'), 'v4 was never reported accepted');
    assert.match(st.json.reason, /cannot compute: rmsVoltage \(unknown\)/);
    assert.equal(st.json.running.model, 'model_a');
    assert.equal(b.board.state.get('modelSlot')?.v, 'model_a');
    // The old model (v3) still detects.
    const sag = async (t0: number) => {
      for (let k = 0; k < 4; k++) await publishSample(obs, 'm2', t0 + k * 1000, k >= 2 ? 160 : 230);
      for (let k = 4; k < 7; k++) await publishSample(obs, 'm2', t0 + k * 1000, 230);
    };
    await sag(100_000);
    await eventually(() => events(obs, 'bad2', 'end').length >= 1, 'sag with the old model', { clocks: [b.clock] });
    assert.equal(events(obs, 'bad2', 'start')[0].model, 3);
    // A good model v5 lands in the other slot and takes over at once.
    const good = (await trainMeterModel({ version: 5, seed: 6 })).bytes;
    await otaModel(broker.url, b, keys.priv, good, 5);
    await eventually(() => events(obs, 'bad2', 'model').length > 0, 'model event', { clocks: [b.clock] });
    assert.equal(events(obs, 'bad2', 'model')[0].model, 5);
    assert.equal(b.board.state.get('modelSlot')?.v, 'model_b');
    await sag(200_000);
    await eventually(() => events(obs, 'bad2', 'end').length >= 2, 'sag with the new model', { clocks: [b.clock] });
    assert.equal(events(obs, 'bad2', 'start')[1].model, 5);
    assert.equal(b.board.boots, boots, 'no restart');
  });

  it('a model knows its mains frequency: a meter set to 60 Hz refuses a 50 Hz model; samples far off the mains frequency go to the error topic, never scored', async () => {
    const { dataset } = await loadMeterDataset({ samples: 800, meters: 1, seed: 7 });
    const conditions = { featureSet: 'meter-2', samplingRates: [], mainsFrequencies: [50], nominalVoltages: [230] };
    const fit = await fitDataset(dataset, { ...FIT_DEFAULTS, target: 'class', trees: 6, maxDepth: 8, workers: 1, conditions });
    const fifty = packModel(fit.model, { modelVersion: 6 }).bytes;
    // A 120 V / 60 Hz installation given the 50 Hz model: refused at boot, reason on the error topic.
    const us = await meterBoard('us1', fx, { meters: 'u1', model: fifty, settings: { meterMainsHz: 60, meterNominalV: 120 } });
    boards.push(us);
    await eventually(() => obs.on('esp/us1/error').some((m) => /model was trained for 50 Hz mains, the meters are set to 60 Hz/.test(m.json?.error ?? '')), 'refusal on the error topic', { clocks: [us.clock] });
    // A 50 Hz installation with it: a meter that reports 60 Hz is outside what the model knows.
    const eu = await meterBoard('eu1', fx, { meters: 'e1', model: fifty });
    boards.push(eu);
    for (let k = 0; k < 6; k++) {
      for (const [register, raw] of samplePayloads(400_000 + k * 1000, 120, 5, 60)) await obs.publish('esp/e1/modbus', JSON.stringify({ register, raw, ts: 400_000 + k * 1000 }));
    }
    const errs = () => obs.on('esp/eu1/error').map((m) => m.json).filter((j) => j.meter === 'e1');
    await eventually(() => errs().some((e) => e.totals?.outsideModel === 6), 'samples outside the model counted', { clocks: [eu.clock], stepMs: 100 });
    assert.match(errs().at(-1).error, /outsideModel/);
    assert.equal(events(obs, 'eu1', 'start').length, 0, 'nothing outside the model raised an alarm');
    // Back at 50 Hz (and 230 V) the same meter is scored again: a sag is detected.
    for (let k = 0; k < 4; k++) await publishSample(obs, 'e1', 500_000 + k * 1000, k >= 2 ? 160 : 230);
    await eventually(() => events(obs, 'eu1', 'start').length >= 1, 'a sag once back inside', { clocks: [eu.clock] });
  });
});
