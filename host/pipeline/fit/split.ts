/**
 * Labels for a target, and the stratified 80/20 split BY WINDOW: all rows of one window (group) land on the same
 * side, so a test score never sees a window it trained on (row splits inflate F1 by up to 0.127, notes).
 */
import type { Dataset } from '../dataset.ts';
import { Rng } from '../../forest/rng.ts';
import type { TargetKind } from '../../forest/model.ts';

export const BINARY_CLASSES = ['normal', 'anomaly'];

export interface Labels {
  target: TargetKind;
  classes: string[];
  labels: Uint16Array;
  /** Index of the "normal" class (anomaly score = 1 - P(normal)). */
  normalClass: number;
}

export function labelsFor(ds: Dataset, target: TargetKind): Labels {
  if (target === 'class') {
    if (!ds.classes.length) throw new Error('the data has no class column: use --target binary');
    const normal = ds.classes.indexOf('normal');
    return { target, classes: ds.classes.slice(), labels: Uint16Array.from(ds.classIdx), normalClass: normal >= 0 ? normal : 0 };
  }
  return { target, classes: BINARY_CLASSES.slice(), labels: Uint16Array.from(ds.target), normalClass: 0 };
}

export function defaultTarget(ds: Dataset): TargetKind {
  return ds.classes.length > 1 ? 'class' : 'binary';
}

export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/** Groups are stratified by the label of their first row; each stratum sends round(testFraction x groups) to test. */
export function splitByGroup(group: Int32Array, labels: Uint16Array, testFraction: number, seed: number): Split {
  const firstLabel = new Map<number, number>();
  for (let r = 0; r < group.length; r++) if (!firstLabel.has(group[r]!)) firstLabel.set(group[r]!, labels[r]!);
  const strata = new Map<number, number[]>();
  for (const [g, l] of firstLabel) {
    if (!strata.has(l)) strata.set(l, []);
    strata.get(l)!.push(g);
  }
  const rng = new Rng(seed, 0x5eed);
  const testGroups = new Set<number>();
  for (const l of [...strata.keys()].sort((a, b) => a - b)) {
    const groups = strata.get(l)!.sort((a, b) => a - b);
    rng.shuffle(groups);
    const nTest = groups.length > 1 ? Math.round(groups.length * testFraction) : 0;
    for (let i = 0; i < nTest; i++) testGroups.add(groups[i]!);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let r = 0; r < group.length; r++) (testGroups.has(group[r]!) ? test : train).push(r);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
