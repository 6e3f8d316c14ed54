import assert from 'node:assert/strict';
import { loadMeterDataset } from '../../host/pipeline/meter/index.ts';

import { fitDataset, FIT_DEFAULTS } from '../../host/pipeline/fit/index.ts';
import { predictRows } from '../../host/forest/model.ts';
import { packModel } from '../../host/model/pack.ts';
import { flowSampler } from '../../host/meters/flow.ts';
import { randomSchedule, SYNTH_T0 } from '../../host/pipeline/meter/synthetic.ts';
import { openModel } from '../../device/model/reader.ts';
import { parseReading, R_OK, type ParsedReading } from '../../device/meter/reading.ts';
import { parseRegisterMap, DEFAULT_REGISTER_MAP, type RegisterMap } from '../../device/meter/registers.ts';
import { SampleAssembler, A_COMPLETE } from '../../device/meter/assembler.ts';
import { MeterFeatures } from '../../device/meter/features.ts';
import { bindModel, scoreFeatures, type MeterModel } from '../../device/meter/model.ts';


/** The device's per-reading path (detector.onReading without the I/O): payload bytes -> classes per sample. */
function devicePredictions(mm: MeterModel, map: RegisterMap, meters: string[], samples: number, seed: number): number[] {
  const tick = flowSampler({ meters, seed, schedule: randomSchedule(meters, samples, seed), cycle: 0, intervalMs: 1000, t0: SYNTH_T0 });
  const state = new Map(meters.map((m) => [m, { asm: new SampleAssembler(map), feat: new MeterFeatures() }]));
  const r: ParsedReading = { register: 0, raw: 0, ts: 0 };
  const out: number[] = [];
  for (let k = 0; k < samples; k++) {
    const byMeter = new Map<string, number>();
    for (const m of tick()) {
      const meter = m.topic.split('/')[1]!;
      assert.equal(parseReading(Buffer.from(m.payload), r), R_OK);
      const s = state.get(meter)!;
      if (s.asm.add(r.register, r.raw, r.ts) === A_COMPLETE) byMeter.set(meter, scoreFeatures(mm, s.feat.update(s.asm.values)));
    }
    for (const meter of meters) out.push(byMeter.get(meter)!);
  }
  return out;
}

describe('meter: host/device prediction parity', function () {
  this.timeout(60_000);
  it('the device path (parser, assembler, features, model.bin from bytes) predicts exactly the host model\'s labels on thousands of samples', async () => {
    const train = await loadMeterDataset({ samples: 1500, meters: 2, seed: 11 });
    const fit = await fitDataset(train.dataset, { ...FIT_DEFAULTS, target: 'class', trees: 12, maxDepth: 10, seed: 3, workers: 1 });
    // Fresh telemetry (another seed), 2 meters x 2500 samples = 5000 predictions per quantization.
    const meters = ['meter1', 'meter2'];
    const samples = 2500;
    const test = await loadMeterDataset({ samples, meters: 2, seed: 12 });
    const ds = test.dataset;
    assert.equal(ds.nRows, meters.length * samples);
    const host = predictRows(fit.model, ds.X, ds.nRows, ds.nFeatures).cls;
    // loadMeterDataset appends samples in arrival order (meter1, meter2 each tick), as devicePredictions does.
    const map = parseRegisterMap(DEFAULT_REGISTER_MAP) as RegisterMap;
    const classes = new Set<number>();
    for (const q of ['float32', 'int16'] as const) {
      const bytes = packModel(fit.model, { quantize: q, modelVersion: 7 }).bytes;
      const mm = bindModel(openModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer), 'model_a', map.mask);
      assert.ok(typeof mm !== 'string', String(mm));
      const dev = devicePredictions(mm as MeterModel, map, meters, samples, 12);
      assert.equal(dev.length, host.length);
      let differ = 0;
      for (let i = 0; i < dev.length; i++) {
        classes.add(dev[i]!);
        if (q === 'float32' && dev[i] !== host[i]) differ++;
      }
      if (q === 'float32') assert.equal(differ, 0, `${differ} of ${dev.length} labels differ`);
      else {
        // int16 thresholds may move a sample across a split: compare to the host reader of the same bytes instead.
        const { readModelBin, binVotes } = await import('../../host/model/reader.ts');
        const bin = readModelBin(bytes);
        const votes = new Float64Array(bin.header.nClasses);
        for (let i = 0; i < dev.length; i++) assert.equal(dev[i], binVotes(bin, ds.X.subarray(i * ds.nFeatures, (i + 1) * ds.nFeatures), votes), `int16 sample ${i}`);
      }
    }
    assert.equal(classes.size, 4, 'every class is predicted somewhere (the comparison is not all-normal)');
  });
});
