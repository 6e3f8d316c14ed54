/**
 * The decision threshold for a target false-alarm rate, from out-of-bag votes: each training window is scored
 * only by the trees that did not see it, so the rate holds on new windows (out-of-bag votes come from about a
 * third of the trees and scatter more than the full forest's, which errs on the side of fewer alarms).
 */
import { LEAF_SCALE, type Decision } from '../../forest/model.ts';

export interface ThresholdInput {
  /** rows x classes out-of-bag votes (rows in training order). */
  oobVotes: Float64Array;
  nClasses: number;
  /** Binary truth of each training row (0 normal). */
  normal: ArrayLike<boolean>;
  normalClass: number;
  trees: number;
  maxFalseAlarm: number;
}

export function chooseThreshold(t: ThresholdInput): Decision {
  if (!(t.maxFalseAlarm >= 0 && t.maxFalseAlarm < 1)) throw new Error(`--max-false-alarm must be within 0..1, not ${t.maxFalseAlarm}`);
  const K = t.nClasses;
  const shares: number[] = [];
  for (let i = 0; i < t.normal.length; i++) {
    if (!t.normal[i]) continue;
    let sum = 0;
    for (let c = 0; c < K; c++) sum += t.oobVotes[i * K + c]!;
    if (sum <= 0) continue;
    shares.push(1 - t.oobVotes[i * K + t.normalClass]! / sum);
  }
  if (shares.length < 20) throw new Error(`--max-false-alarm needs out-of-bag votes of at least 20 normal training windows, have ${shares.length}`);
  shares.sort((a, b) => b - a);
  // Allow floor(rate x normals) false alarms: the threshold sits just above the next share down.
  const allowed = Math.floor(t.maxFalseAlarm * shares.length);
  const cut = shares[Math.min(allowed, shares.length - 1)]!;
  const total = t.trees * LEAF_SCALE;
  const minAnomalyVotes = Math.min(total, Math.max(1, Math.floor(cut * total + 1e-9) + 1));
  return { normalClass: t.normalClass, minAnomalyVotes, maxFalseAlarm: t.maxFalseAlarm };
}
