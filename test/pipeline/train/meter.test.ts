import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
