import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runTrain, type TrainRunResult } from '../../../host/pipeline/train/index.ts';
import { FIT_DEFAULTS } from '../../../host/pipeline/fit/index.ts';

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/jerrywatt.js', ...args], { encoding: 'utf8' });

describe('train: synth -> process -> fit -> export -> evaluate', function () {
  this.timeout(120_000);
  const out = mkdtempSync(join(tmpdir(), 'jw-train-'));
  let r: TrainRunResult;
  const log: string[] = [];

  before(async () => {
    r = await runTrain({
      ...FIT_DEFAULTS,
      trees: 10,
      outDir: out,
      windows: 500,
      quantize: 'float32',
      modelVersion: 7,
      partitionsCsv: 'partitions.csv',
      log: (l) => log.push(l),
    });
  });

  it('writes the model, device model, C header, reports and processed data', () => {
    for (const f of ['model.json', 'model.bin', 'model.h', 'model.device.json', 'report.md', 'report.html', 'processed.csv', 'synth.csv']) {
      assert.ok(existsSync(join(out, f)), `${f} missing`);
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /<svg[^>]*aria-label="ROC curve"/);
    assert.match(html, /aria-label="confusion matrix"/);
    assert.match(html, /aria-label="feature importance"/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'report.html must be self-contained');
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /## Confusion matrix/);
    assert.ok(r.fit.test.macroF1 > 0.6, `macro-F1 ${r.fit.test.macroF1}`);
    assert.equal(r.exported.bin.header.modelVersion, 7);
    const f32 = r.quantized.find((q) => q.quantize === 'float32')!;
    const i16 = r.quantized.find((q) => q.quantize === 'int16')!;
    assert.equal(f32.accuracyChange, 0);
    assert.ok(Math.abs(i16.accuracyChange) < 0.05);
    assert.ok(log.some((l) => /int16 model\.bin \d+ B, test accuracy/.test(l)));
  });

  it('evaluate --json works on the waveform CSV and the processed CSV, with model.json and model.bin', () => {
    for (const [model, data] of [['model.json', 'synth.csv'], ['model.bin', 'processed.csv']]) {
      const p = cli('evaluate', '--model', join(out, model!), '--data', join(out, data!), '--json');
      assert.equal(p.status, 0, p.stderr);
      const j = JSON.parse(p.stdout);
      for (const k of ['accuracy', 'precision', 'recall', 'f1', 'macroF1', 'aucRoc', 'confusion']) assert.ok(k in j, `${k} missing`);
      assert.equal(j.rows, 500);
      assert.ok(j.accuracy > 0.6 && j.aucRoc > 0.8, `${model} on ${data}: ${j.accuracy} ${j.aucRoc}`);
    }
  });

  it('refuses a corrupt model, an empty data set and waveform features given as meter data, with clear messages', () => {
    const bad = join(out, 'bad.bin');
    const bytes = readFileSync(join(out, 'model.bin'));
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(bad, bytes);
    let p = cli('evaluate', '--model', bad, '--data', join(out, 'processed.csv'));
    assert.notEqual(p.status, 0);
    assert.match(p.stderr, /SHA-256 mismatch/);
    writeFileSync(join(out, 'bad.json'), '{"format":"jerrywatt-forest","version":99}');
    p = cli('evaluate', '--model', join(out, 'bad.json'), '--data', join(out, 'processed.csv'));
    assert.match(p.stderr, /format version 99/);
    const empty = join(out, 'empty.csv');
    writeFileSync(empty, readFileSync(join(out, 'processed.csv'), 'utf8').split('\n')[0] + '\n');
    p = cli('fit', '--data', empty, '--out', join(out, 'e'));
    assert.notEqual(p.status, 0);
    assert.match(p.stderr, /no usable rows|empty/);
    assert.equal(existsSync(join(out, 'e', 'model.json')), false);
    // Meter features read collected telemetry CSVs, not waveform features: refused, naming the columns.
    p = cli('train', '--features', 'meter', '--data', join(out, 'processed.csv'), '--out', join(out, 'm'));
    assert.notEqual(p.status, 0);
    assert.match(p.stderr, /needs "Start register" and "Raw data" columns/);
  });
});
