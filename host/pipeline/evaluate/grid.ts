/**
 * The condition grid of the targets: held-out synthetic windows for every 50/60 Hz x {1000, 2000, 3200,
 * 6400} Hz x SNR band (20-30, 30-50 dB), scored by a model (and, when given, by scikit-learn's predictions
 * for the same windows). Shared by the test (a small sample) and `npm run bench -- conditions` (the full table).
 */
import type { Dataset } from '../dataset.ts';
import type { ForestModel } from '../../forest/model.ts';
import { predictRows } from '../../forest/model.ts';
import { joinDatasets, synthDataset } from '../synth/dataset.ts';
import { figuresByCondition, type ConditionFigures } from './by-condition.ts';

export const GRID_MAINS = [50, 60] as const;
export const GRID_RATES = [1000, 2000, 3200, 6400];
export const GRID_SNR: [number, number][] = [[20, 30], [30, 50]];

/** `perCell` windows for each cell of the grid, half normal, from `seed` (keep it apart from training seeds). */
export function gridDataset(perCell: number, seed: number): Dataset {
  const parts: Dataset[] = [];
  let k = 0;
  for (const mains of GRID_MAINS) {
    for (const fs of GRID_RATES) {
      for (const snr of GRID_SNR) {
        // Just under the band's top, so that a window of 30.0 dB never falls into the next band.
        parts.push(synthDataset({ windows: perCell, seed: seed * 1000 + k++, mainsHz: mains, samplingRate: fs, snrDb: [snr[0], snr[1] - 1e-6], normalRatio: 0.5 }));
      }
    }
  }
  return joinDatasets(parts);
}

/** Class labels of `ds` in `classes`' order (-1 where the model lacks the class). */
export function labelsIn(ds: Dataset, classes: string[]): Int32Array {
  return Int32Array.from(ds.classIdx, (c) => classes.indexOf(ds.classes[c]!));
}

/** Figures per cell for predicted class indices `pred` (into `classes`, whose "normal" is the non-alarm). */
export function gridFigures(ds: Dataset, classes: string[], pred: ArrayLike<number>): ConditionFigures[] {
  const normal = classes.indexOf('normal');
  const truthClass = labelsIn(ds, classes);
  return figuresByCondition({
    conditions: ds.conditions!,
    truth: ds.target,
    pred: Array.from(pred, (p) => (p === normal ? 0 : 1)),
    truthClass: Array.from(truthClass, (t) => (t < 0 ? classes.length : t)),
    predClass: pred,
    classes: [...classes, '(unknown)'],
    snrRange: [20, 50],
  });
}

export function modelGridFigures(model: ForestModel, ds: Dataset): ConditionFigures[] {
  return gridFigures(ds, model.classes, predictRows(model, ds.X, ds.nRows, ds.nFeatures).cls);
}
