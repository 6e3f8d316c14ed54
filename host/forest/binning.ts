/**
 * Pre-binned features: each column becomes up to 256 ordered bins, so a split search is one pass filling a
 * class histogram instead of a sort per node (the LightGBM / sklearn HistGradientBoosting idea). Bin edges are
 * float32 midpoints between training values, and become the model's thresholds: bin <= b  <=>  x <= edge[b].
 */
export interface BinnedColumns {
  /** Column-major nFeatures x n bin codes. */
  bins: Uint8Array;
  n: number;
  nFeatures: number;
  /** Per feature, ascending float32 edges (length = bins - 1). */
  edges: Float32Array[];
}

export function computeEdges(column: Float32Array, maxBins: number): Float32Array {
  const v = Float32Array.from(column).sort();
  let n = v.length;
  while (n > 0 && Number.isNaN(v[n - 1]!)) n--; // NaN sorts last; it always goes right (bin = edges.length)
  const edges: number[] = [];
  if (n === 0) return new Float32Array(0);
  const edgeBetween = (a: number, b: number): number => {
    const mid = Math.fround(a + (b - a) / 2);
    return mid >= b ? a : mid;
  };
  let distinct = 1;
  for (let i = 1; i < n; i++) if (v[i] !== v[i - 1]) distinct++;
  if (distinct <= maxBins) {
    for (let i = 1; i < n; i++) if (v[i] !== v[i - 1]) edges.push(edgeBetween(v[i - 1]!, v[i]!));
  } else {
    // Cut at (about) equal-count quantiles, moved forward to the next change of value.
    let i = 0;
    for (let q = 1; q < maxBins; q++) {
      i = Math.max(i, Math.floor((q * n) / maxBins));
      while (i < n && v[i] === v[i - 1]) i++;
      if (i >= n) break;
      const e = edgeBetween(v[i - 1]!, v[i]!);
      if (!edges.length || e > edges[edges.length - 1]!) edges.push(e);
      i++;
    }
  }
  return Float32Array.from(edges);
}

/** First bin whose edge is >= x; NaN and values above every edge get the last bin. */
export function binOf(edges: Float32Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  if (!(x <= edges[hi - 1]!)) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Bins the given rows of a row-major matrix. Edges come from those same rows. */
export function binRows(X: Float32Array, nFeatures: number, rows: Int32Array, maxBins: number, shared = false): BinnedColumns {
  const n = rows.length;
  const bytes = n * nFeatures;
  const bins = new Uint8Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const col = new Float32Array(n);
  const edges: Float32Array[] = [];
  for (let f = 0; f < nFeatures; f++) {
    for (let i = 0; i < n; i++) col[i] = X[rows[i]! * nFeatures + f]!;
    const e = computeEdges(col, Math.min(256, maxBins));
    edges.push(e);
    const out = bins.subarray(f * n, (f + 1) * n);
    for (let i = 0; i < n; i++) out[i] = binOf(e, col[i]!);
  }
  return { bins, n, nFeatures, edges };
}
