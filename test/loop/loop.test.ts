import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmbeddedBroker } from '../../host/broker/embedded.ts';
import { useBroker } from '../helpers/broker-fixture.ts';
import { startCollector } from '../../host/collect/collector.ts';
import { startMeterGateway } from '../../host/meters/gateway.ts';
import { trainMeterModel } from '../../host/meters/model.ts';
import { runRetrain, type RetrainResult } from '../../host/retrain/index.ts';
import { packageRoot as repoRoot } from '../../host/paths.ts';
import { eventually, Observer } from '../spine/util.ts';
import { events, meterBoardOn, otaKeys, type MeterBoardOn } from '../meter/helpers.ts';
import { describeOnBoards } from '../helpers/boards.ts';

describeOnBoards('loop: collect -> process -> train (meter features) -> export -> model OTA -> the device detects with the new version', (kind) => {
  const fx = useBroker();
  let broker: EmbeddedBroker;
  let obs: Observer;
  let dir: string;
  let board: MeterBoardOn | null = null;
  before(async () => {
    ({ broker, obs } = fx);
    dir = mkdtempSync(join(tmpdir(), 'jw-loop-'));
  });
  after(async () => {
    await board?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the whole loop', async function () {
    this.timeout(90_000);
    const keys = otaKeys(dir);
    // The device in service runs a weak first model: one stump.
    const weak = (await trainMeterModel({ version: 1, trees: 1, maxDepth: 1, samples: 300, meters: 1 })).bytes;
    const modelDir = join(dir, 'models');
    rmSync(modelDir, { recursive: true, force: true });
    const current = join(modelDir, 'model.bin');
    (await import('node:fs')).mkdirSync(modelDir, { recursive: true });
    writeFileSync(current, weak);
    // The gateway ticks as fast as it can: on the native board (real time) that is over the default flood limit.
    board = await meterBoardOn(kind, 'loop1', fx, { meters: 'm1', model: weak, settings: { otaPubKey: keys.pubDer, ...(kind.name === 'native' ? { meterFlood: 100000 } : {}) } });

    // 1. collect: the meter gateway (the flow's sampler) publishes, `collect` writes the raw CSVs.
    const raw = join(dir, 'raw');
    const collector = await startCollector({ url: broker.url, topics: ['esp/+/modbus'], outDir: raw, report: () => {} });
    await collector.connected();
    const T0 = 1_767_225_600_000;
    const gw = await startMeterGateway({ brokerUrl: broker.url, meters: ['m1', 'm2'], rate: 0, t0: T0, seed: 3 });
    // One tick a second of device time too, as a real gateway (the device counts faster readings as a flood).
    const tick = async () => {
      await gw.tick();
      board!.clock.advance(1000);
    };
    for (let k = 0; k < 240; k++) await tick();
    await eventually(() => collector.stats.written === 240 * 2 * 5, 'every reading written', { clocks: [board.clock], rounds: 2000 });
    await collector.stop();

    // 2-5. process + train + export + publish, only because the new model beats the weak one on held-out samples.
    let result: RetrainResult | null = null;
    let failed: unknown = null;
    runRetrain({
      data: [raw],
      current,
      trees: 6,
      maxDepth: 8,
      workers: 1,
      partitionsCsv: join(repoRoot(), 'partitions.csv'),
      publish: { broker: broker.url, key: keys.keyPath!, device: 'loop1', timeoutMs: 30_000 },
    }).then(
      (r) => void (result = r),
      (e) => void (failed = e),
    );
    await eventually(() => result || failed, 'retrain and publish', { clocks: [board.clock], stepMs: 20, rounds: 4000 });
    if (failed) throw failed;
    const r = result! as RetrainResult;
    assert.equal(r.better, true, `new ${r.candidate.score} vs current ${r.current.score}`);
    assert.equal(r.candidate.version, 2);
    assert.ok(r.candidate.score > 0.9, `held-out F1 ${r.candidate.score}`);
    assert.equal(r.published?.devices.get('loop1')?.state, 'accepted');
    await eventually(() => events(obs, 'loop1', 'model').some((e) => e.model === 2), 'model v2 takes over', { clocks: [board.clock] });

    // 6. the device detects the next scheduled sag (ticks 250-254 of the flow's default 60-tick cycle) with v2.
    const before = events(obs, 'loop1', 'start').length;
    for (let k = 240; k < 260; k++) await tick();
    await eventually(() => events(obs, 'loop1', 'start').length > before, 'a detection', { clocks: [board.clock] });
    const start = events(obs, 'loop1', 'start')[before];
    assert.equal(start.model, 2);
    assert.equal(start.class, 'sag');
    assert.equal(start.ts, T0 + 250 * 1000);
    assert.equal(obs.on('esp/loop1/error').length, 0, 'no bad telemetry at one tick a second');
    await gw.stop();
  });
});
