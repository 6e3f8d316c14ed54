/**
 * Grows one classification tree on pre-binned columns: bootstrap sample, Gini, class weights, a fresh random
 * feature subset at every split (as Breiman and scikit-learn do; ml-random-forest samples once per tree).
 * Runs inside a worker; everything here is typed arrays so that 100 trees on 40k rows take seconds.
 */
import { Rng } from './rng.ts';
import { LEAF_SCALE } from './model.ts';

const SMALL_NODE = 48;

export interface GrowData {
  bins: Uint8Array; // column-major nFeatures x n
  n: number;
  nFeatures: number;
  nClasses: number;
  y: Uint16Array;
  classWeight: Float64Array;
}

export interface GrowParams {
  maxDepth: number;
  minLeaf: number;
  maxFeatures: number;
}

export interface GrownTree {
  feature: number[];
  /** Split bin: go left when bin <= splitBin (the caller maps bins to float thresholds). */
  splitBin: number[];
  left: number[];
  right: number[];
  leaves: number[];
  /** Weighted impurity decrease per feature. */
  importance: Float64Array;
  /** Bootstrap multiplicity per row; 0 = out of bag. */
  inBag: Uint16Array;
}

/** Integer votes summing to LEAF_SCALE (largest remainder, ties to the lower class). */
export function quantizeLeaf(weights: Float64Array, out: number[]): void {
  const k = weights.length;
  let total = 0;
  for (let c = 0; c < k; c++) total += weights[c]!;
  let given = 0;
  const start = out.length;
  for (let c = 0; c < k; c++) {
    const q = total > 0 ? Math.floor((weights[c]! * LEAF_SCALE) / total) : c === 0 ? LEAF_SCALE : 0;
    out.push(q);
    given += q;
  }
  while (given < LEAF_SCALE) {
    let best = -1;
    let bestRem = -1;
    for (let c = 0; c < k; c++) {
      const rem = (weights[c]! * LEAF_SCALE) / total - out[start + c]!;
      if (rem > bestRem + 1e-12) {
        bestRem = rem;
        best = c;
      }
    }
    out[start + best]!++;
    given++;
  }
}

export function growTree(d: GrowData, p: GrowParams, rng: Rng): GrownTree {
  const { n, nFeatures: F, nClasses: K, y, bins, classWeight } = d;
  const inBag = new Uint16Array(n);
  for (let i = 0; i < n; i++) inBag[rng.int(n)]!++;
  let m = 0;
  for (let i = 0; i < n; i++) if (inBag[i]) m++;
  const rows = new Int32Array(m);
  const tmp = new Int32Array(m);
  const w = new Float64Array(n);
  for (let i = 0, j = 0; i < n; i++) {
    if (!inBag[i]) continue;
    rows[j++] = i;
    w[i] = inBag[i]! * classWeight[y[i]!]!;
  }

  const tree: GrownTree = { feature: [], splitBin: [], left: [], right: [], leaves: [], importance: new Float64Array(F), inBag };
  const hist = new Float64Array(256 * K);
  const hcnt = new Float64Array(256);
  const tot = new Float64Array(K);
  const acc = new Float64Array(K);
  const touched = new Int32Array(256);
  const feats = new Int32Array(F);
  for (let f = 0; f < F; f++) feats[f] = f;

  // Stack of pending nodes: [start, end, depth, parent, side (0 left, 1 right, -1 root)].
  const stack: number[] = [0, m, 0, -1, -1];
  while (stack.length) {
    const side = stack.pop()!;
    const parent = stack.pop()!;
    const depth = stack.pop()!;
    const e = stack.pop()!;
    const s = stack.pop()!;

    tot.fill(0);
    let totW = 0;
    let totCnt = 0;
    for (let i = s; i < e; i++) {
      const r = rows[i]!;
      tot[y[r]!] += w[r]!;
      totCnt += inBag[r]!;
    }
    let nonZero = 0;
    for (let c = 0; c < K; c++) {
      totW += tot[c]!;
      if (tot[c]! > 0) nonZero++;
    }

    let bestF = -1;
    let bestBin = -1;
    let bestScore = 0;
    if (depth < p.maxDepth && nonZero > 1 && totCnt >= 2 * p.minLeaf) {
      let parentScore = 0;
      for (let c = 0; c < K; c++) parentScore += tot[c]! * tot[c]!;
      parentScore /= totW;
      bestScore = parentScore + 1e-9 * totW;
      let visited = 0;
      for (let fi = 0; fi < F; fi++) {
        if (visited >= p.maxFeatures && bestF >= 0) break;
        const j = fi + rng.int(F - fi);
        const f = feats[j]!;
        feats[j] = feats[fi]!;
        feats[fi] = f;
        const col = f * n;
        // Small nodes touch few bins: list them (insertion-sorted) instead of scanning the whole bin range.
        const small = e - s <= SMALL_NODE;
        let nTouched = 0;
        let lo = 255;
        let hi = 0;
        for (let i = s; i < e; i++) {
          const r = rows[i]!;
          const b = bins[col + r]!;
          if (small && hcnt[b] === 0) {
            let k = nTouched++;
            while (k > 0 && touched[k - 1]! > b) {
              touched[k] = touched[k - 1]!;
              k--;
            }
            touched[k] = b;
          }
          hist[b * K + y[r]!] += w[r]!;
          hcnt[b] += inBag[r]!;
          if (b < lo) lo = b;
          if (b > hi) hi = b;
        }
        if (!small) {
          nTouched = 0;
          for (let b = lo; b <= hi; b++) if (hcnt[b] !== 0) touched[nTouched++] = b;
        }
        if (lo === hi) {
          // Constant here: does not count towards maxFeatures (as in scikit-learn).
          hcnt[lo] = 0;
          for (let c = 0; c < K; c++) hist[lo * K + c] = 0;
          continue;
        }
        visited++;
        acc.fill(0);
        let lw = 0;
        let lc = 0;
        for (let t = 0; t < nTouched - 1; t++) {
          const b = touched[t]!;
          lc += hcnt[b]!;
          const hb = b * K;
          for (let c = 0; c < K; c++) {
            const v = hist[hb + c]!;
            acc[c] += v;
            lw += v;
          }
          if (lc < p.minLeaf) continue;
          if (totCnt - lc < p.minLeaf) break;
          const rw = totW - lw;
          if (lw <= 0 || rw <= 0) continue;
          let sl = 0;
          let sr = 0;
          for (let c = 0; c < K; c++) {
            const a = acc[c]!;
            const r = tot[c]! - a;
            sl += a * a;
            sr += r * r;
          }
          const score = sl / lw + sr / rw;
          if (score > bestScore) {
            bestScore = score;
            bestF = f;
            bestBin = b;
          }
        }
        for (let t = 0; t < nTouched; t++) {
          const b = touched[t]!;
          hcnt[b] = 0;
          const hb = b * K;
          for (let c = 0; c < K; c++) hist[hb + c] = 0;
        }
      }
      if (bestF >= 0) tree.importance[bestF] += bestScore - parentScore;
    }

    let link: number;
    if (bestF < 0) {
      link = ~(tree.leaves.length / K);
      quantizeLeaf(tot, tree.leaves);
    } else {
      link = tree.feature.length;
      tree.feature.push(bestF);
      tree.splitBin.push(bestBin);
      tree.left.push(0);
      tree.right.push(0);
      // Stable partition keeps rows ascending, so column reads stay sequential.
      const col = bestF * n;
      let l = s;
      let r = 0;
      for (let i = s; i < e; i++) {
        const row = rows[i]!;
        if (bins[col + row]! <= bestBin) rows[l++] = row;
        else tmp[r++] = row;
      }
      rows.set(tmp.subarray(0, r), l);
      // Right pushed first so the left subtree is numbered first (pre-order).
      stack.push(l, e, depth + 1, link, 1);
      stack.push(s, l, depth + 1, link, 0);
    }
    if (parent >= 0) (side === 0 ? tree.left : tree.right)[parent] = link;
  }
  return tree;
}

/** Class votes of a grown tree for row r of the binned columns (used for out-of-bag scoring). */
export function leafOfBinned(t: GrownTree, bins: Uint8Array, n: number, r: number): number {
  let node = t.feature.length ? 0 : -1;
  while (node >= 0) node = bins[t.feature[node]! * n + r]! <= t.splitBin[node]! ? t.left[node]! : t.right[node]!;
  return ~node;
}
