/**
 * The condition table of issue 13: held-out synthetic windows for every 50/60 Hz x {1000, 2000, 3200, 6400} Hz x
 * SNR band (20-30, 30-50 dB), scored by
 *   - the default model (what `npm run train` builds: 50 + 60 Hz, 1000-6400 Hz, 20-50 dB, half normal, the
 *     device forest of 40 trees of depth <= 12), against scikit-learn's RandomForestClassifier (defaults,
 *     n_jobs=2) trained on the same training windows' features: the anchor;
 *   - a model trained on one condition only (50 Hz, 6400 Hz, 20-50 dB), so that the gain is visible.
 * Targets per cell: binary F1 >= 0.97, false alarms <= 2 % of normal windows, macro-F1 no more than 0.01 below
 * scikit-learn. Also times the default `train` end to end (goal: under 60 s).
 *   --per-cell N   held-out windows per cell (default 2000; run directly: node --import tsx bench/conditions.bench.ts --per-cell N)
 *   --windows N    training windows (default: train's default)
 *   --no-train-timing   skip timing the whole `train` run
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { synthDataset } from '../host/pipeline/synth/dataset.ts';
import { DEFAULT_TRAIN_RATES } from '../host/pipeline/synth/generate.ts';
import { fitDataset, FIT_DEFAULTS } from '../host/pipeline/fit/index.ts';
import { TRAIN_WINDOWS } from '../host/pipeline/fit/defaults.ts';
import { gridDataset, gridFigures, modelGridFigures } from '../host/pipeline/evaluate/grid.ts';
import type { ConditionFigures } from '../host/pipeline/evaluate/by-condition.ts';
import { findSklearnPython, runSklearn } from '../host/forest/sklearn.ts';
import { runTrain } from '../host/pipeline/train/index.ts';
import { machineLine } from './machine.ts';

const { values: args } = parseArgs({
  options: { 'per-cell': { type: 'string', default: '2000' }, windows: { type: 'string', default: String(TRAIN_WINDOWS) }, 'no-train-timing': { type: 'boolean', default: false } },
});
const PER_CELL = Number(args['per-cell']);
const WINDOWS = Number(args.windows);

const f4 = (v: number): string => (Number.isNaN(v) ? 'n/a' : v.toFixed(4));
const pct = (v: number): string => (Number.isNaN(v) ? 'n/a' : `${(100 * v).toFixed(2)} %`);

function table(title: string, ours: ConditionFigures[], sk?: ConditionFigures[]): { met: boolean } {
  process.stdout.write(`\n${title}\n`);
  const head = ['mains', 'rate', 'SNR dB', 'windows', 'false alarms', 'binary F1', 'macro-F1', ...(sk ? ['sklearn macro-F1', 'diff'] : []), 'targets'];
  const rows: string[][] = [head];
  let met = true;
  ours.forEach((c, i) => {
    const s = sk?.[i];
    const ok = c.f1 >= 0.97 && c.falseAlarmRate <= 0.02 && (!s || c.macroF1 >= s.macroF1 - 0.01);
    met &&= ok;
    rows.push([`${c.mainsHz} Hz`, `${c.samplingRate} Hz`, c.snrBand, String(c.rows), `${c.falseAlarms}/${c.normalRows} = ${pct(c.falseAlarmRate)}`, f4(c.f1), f4(c.macroF1), ...(s ? [f4(s.macroF1), (c.macroF1 - s.macroF1 >= 0 ? '+' : '') + (c.macroF1 - s.macroF1).toFixed(4)] : []), ok ? 'met' : 'NOT met']);
  });
  const widths = head.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
  for (const r of rows) process.stdout.write(r.map((v, k) => (k < 3 ? v.padEnd(widths[k]!) : v.padStart(widths[k]!))).join('  ') + '\n');
  return { met };
}

console.log(machineLine());
const t0 = performance.now();
const grid = gridDataset(PER_CELL, 77);
console.log(`held-out grid: ${grid.nRows} windows (${PER_CELL} per cell, half normal, seed 77), ${grid.nFeatures} features, ${((performance.now() - t0) / 1000).toFixed(1)} s to synthesise and extract`);

// The default model: the training data of `npm run train` (same generator options), the device forest.
const train = synthDataset({ windows: WINDOWS, seed: 1, mainsHz: 'both', samplingRate: DEFAULT_TRAIN_RATES, snrDb: [20, 50], normalRatio: 0.5 });
const fit = await fitDataset(train, { ...FIT_DEFAULTS, testFraction: 0 });
console.log(`default model: ${WINDOWS} windows (50 + 60 Hz, ${DEFAULT_TRAIN_RATES.join('/')} Hz, 20-50 dB, half normal), ${fit.model.trees.length} trees, trained in ${fit.trainSeconds.toFixed(2)} s`);
const ours = modelGridFigures(fit.model, grid);

let sk: ConditionFigures[] | undefined;
const py = findSklearnPython();
if (!py) console.log('ANCHOR MISSING: no python3 with scikit-learn (Debian: apt-get install python3-sklearn); nothing was installed, no comparison');
else {
  const ytr = Uint16Array.from(train.classIdx, (c) => fit.model.classes.indexOf(train.classes[c]!));
  const run = runSklearn(py, train.X, ytr, grid.X, train.nFeatures, fit.model.classes.length, { trees: 100, seed: 1, jobs: 2 });
  const K = fit.model.classes.length;
  const pred = Uint16Array.from({ length: grid.nRows }, (_, i) => {
    let b = 0;
    for (let c = 1; c < K; c++) if (run.proba[i * K + c]! > run.proba[i * K + b]!) b = c;
    return b;
  });
  sk = gridFigures(grid, fit.model.classes, pred);
  console.log(`anchor: scikit-learn ${run.version} RandomForestClassifier (100 trees, defaults, n_jobs=2) on the same ${WINDOWS} training windows, trained in ${run.seconds.toFixed(2)} s`);
}
const a = table('default model (targets: binary F1 >= 0.97, false alarms <= 2 %, macro-F1 >= scikit-learn - 0.01):', ours, sk);

const one = synthDataset({ windows: WINDOWS, seed: 1, mainsHz: 50, samplingRate: 6400, snrDb: [20, 50], normalRatio: 0.5 });
const oneFit = await fitDataset(one, { ...FIT_DEFAULTS, testFraction: 0 });
table('the same forest trained on one condition only (50 Hz, 6400 Hz, 20-50 dB):', modelGridFigures(oneFit.model, grid));

if (!args['no-train-timing']) {
  const dir = mkdtempSync(join(tmpdir(), 'jw-bench-train-'));
  try {
    const r = await runTrain({ ...FIT_DEFAULTS, outDir: dir, windows: TRAIN_WINDOWS, quantize: 'float32', modelVersion: 1, partitionsCsv: 'partitions.csv', log: () => {} });
    console.log(`\nnpm run train (default, ${TRAIN_WINDOWS} windows, synth + process + fit + export + reports): ${r.seconds.toFixed(1)} s (goal < 60 s); model.bin ${r.exported.bytes} B of the ${r.exported.slotBytes} B slot`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`\ndefault model: every cell ${a.met ? 'meets' : 'does NOT meet'} the targets`);
