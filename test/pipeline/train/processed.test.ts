import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrain } from '../../../host/pipeline/train/index.ts';
import { FIT_DEFAULTS } from '../../../host/pipeline/fit/index.ts';
import { Rng } from '../../../host/forest/rng.ts';

/** The old prototype's processed columns: binary target from the *_Issue flags, no class, no window column. */
function prototypeCsv(path: string, rows: number, seed: number): void {
  const rng = new Rng(seed);
  const lines = ['Raw data_Current,Current_Issue,Raw data_Voltage,Voltage_Issue,Active_Power,Frequency'];
  for (let i = 0; i < rows; i++) {
    const v = 230 * (0.8 + 0.4 * rng.next());
    const a = 5 + 20 * rng.next();
    const f = 49.3 + 1.4 * rng.next();
    lines.push([a.toFixed(3), a > 20 ? 1 : 0, v.toFixed(2), v < 207 || v > 253 ? 1 : 0, (v * a * 0.95).toFixed(1), f.toFixed(2)].join(','));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

describe('train on processed (prototype) CSVs: binary target', function () {
  this.timeout(60_000);
  it('trains a normal/anomaly model from two files, with the float32 export equal to the host model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jw-proc-'));
    prototypeCsv(join(dir, 'a.csv'), 600, 1);
    prototypeCsv(join(dir, 'b.csv'), 600, 2);
    const log: string[] = [];
    const r = await runTrain({
      ...FIT_DEFAULTS,
      trees: 15,
      outDir: join(dir, 'out'),
      data: [join(dir, 'a.csv'), join(dir, 'b.csv')],
      windows: 0,
      quantize: 'int16',
      modelVersion: 1,
      partitionsCsv: 'partitions.csv',
      log: (l) => log.push(l),
    });
    assert.deepEqual(r.fit.model.classes, ['normal', 'anomaly']);
    assert.equal(r.fit.model.target, 'binary');
    assert.equal(r.fit.split.train.length + r.fit.split.test.length, 1200);
    assert.ok(r.fit.test.accuracy > 0.95, `accuracy ${r.fit.test.accuracy}`);
    assert.ok(r.fit.test.aucRoc > 0.97, `AUC ${r.fit.test.aucRoc}`);
    assert.equal(r.exported.quantize, 'int16');
    assert.equal(r.quantized.find((q) => q.quantize === 'float32')!.accuracyChange, 0);
    assert.ok(log.some((l) => /1200 rows x 4 features \(processed\)/.test(l)), log.join('\n'));
  });
});
