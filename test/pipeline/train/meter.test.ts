import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrain } from '../../../host/pipeline/train/index.ts';
import { FIT_DEFAULTS } from '../../../host/pipeline/fit/index.ts';
import { METER_CLASSES, METER_FEATURES } from '../../../host/pipeline/meter/index.ts';
import { openModel } from '../../../device/model/reader.ts';

describe('train --features meter: the model the device runs', function () {
  this.timeout(60_000);
  it('trains on synthetic meter telemetry and exports a model.bin named with the device meter features', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jw-mtrain-'));
    const log: string[] = [];
    const r = await runTrain({ ...FIT_DEFAULTS, trees: 10, outDir: dir, windows: 0, features: 'meter', quantize: 'float32', modelVersion: 3, partitionsCsv: 'partitions.csv', log: (l) => log.push(l) });
    assert.deepEqual(r.fit.model.classes, [...METER_CLASSES]);
    const bin = readFileSync(join(dir, 'model.bin'));
    const m = openModel(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer);
    assert.equal(m.modelVersion, 3);
    for (const f of m.featureNames) assert.ok((METER_FEATURES as readonly string[]).includes(f), `${f} is a device meter feature`);
    assert.ok(r.fit.test.macroF1 > 0.8, `macro-F1 ${r.fit.test.macroF1}`);
    assert.ok(log.some((l) => /meter features/.test(l)));
    assert.ok(!log.some((l) => /synth:/.test(l)), 'no waveform synthesis for a meter model');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("train on the prototype's raw Modbus files", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'jw-proto-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** mqtt_all_messages_*.csv as the prototype wrote it: no ts, unscaled values, and register 1008 (not in the map). */
  function prototypeFile(name: string, samples: number): string {
    const lines = ['"Start register","Raw data"'];
    for (let k = 0; k < samples; k++) {
      const phase = k % 40;
      const v = phase >= 20 && phase < 24 ? 160 + (k % 7) : phase >= 30 && phase < 33 ? 262 + (k % 5) : 229 + (k % 3);
      const f = phase === 10 || phase === 11 ? 51.2 : 50 + ((k % 5) - 2) / 100;
      lines.push(`1006,${(5 + (k % 4) * 0.1).toFixed(2)}`, `1007,${1000 + (k % 9) * 10}`, `1008,${k % 3}`, `1009,${v}`, `1010,${f.toFixed(2)}`);
    }
    const p = join(dir, name);
    writeFileSync(p, lines.join('\n') + '\n');
    return p;
  }

  it('train --features meter --data reads them (unscaled prototype map), counting the registers outside it', async () => {
    const p = prototypeFile('mqtt_all_messages_20240101_000000.csv', 1200);
    const log: string[] = [];
    const r = await runTrain({ ...FIT_DEFAULTS, trees: 8, outDir: join(dir, 'out1'), windows: 0, data: [p], features: 'meter', quantize: 'float32', modelVersion: 1, partitionsCsv: 'partitions.csv', log: (l) => log.push(l) });
    assert.ok(r.fit.split.train.length > 500, `${r.fit.split.train.length} training samples`);
    assert.ok(log.some((l) => /prototype's layout/.test(l)), log.join('\n'));
    assert.ok(log.some((l) => /1200 readings of registers outside the map \(1008 x1200\)/.test(l)), log.join('\n'));
    assert.ok(!log.some((l) => /out of range/.test(l)), log.join('\n'));
    assert.ok(r.fit.test.f1 > 0.9, `F1 ${r.fit.test.f1}`);
    assert.deepEqual(r.fit.model.conditions?.featureSet, 'meter-2');
  });

  it('train --data given a raw mqtt_all_messages_*.csv recognises it and trains the meter model, not on register numbers', async () => {
    const p = prototypeFile('mqtt_all_messages_20240102_000000.csv', 600);
    const log: string[] = [];
    const r = await runTrain({ ...FIT_DEFAULTS, trees: 6, outDir: join(dir, 'out2'), windows: 0, data: [p], quantize: 'float32', modelVersion: 1, partitionsCsv: 'partitions.csv', log: (l) => log.push(l) });
    assert.ok(log.some((l) => /raw Modbus telemetry.*meter model/.test(l)), log.join('\n'));
    assert.ok(!r.fit.model.featureNames.some((f) => /register|raw/i.test(f)), r.fit.model.featureNames.join(', '));
    assert.ok(r.fit.model.featureNames.includes('voltagePu'));
  });
});
