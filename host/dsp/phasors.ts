/**
 * The steady-state part of a window (DC, fundamental and harmonics at the measured frequency), fitted by least
 * squares and taken away: what is left is noise, transients and envelope changes. The window need not hold a
 * whole number of samples per cycle: the fundamental is solved exactly (a 2x2 system), so a rounding of the
 * window length (one sample is 5 % of a cycle at 1000 Hz) leaves no leakage behind; harmonics, small beside
 * it, are projected.
 */

/**
 * Writes into `resid[0..len)` the samples minus DC, fundamental and harmonics 2..orders at `freq` (Hz) for
 * `samplingRate`. `a`, `b` receive the cosine and sine amplitudes per order (index h-1).
 */
export function removeHarmonics(x: ArrayLike<number>, len: number, freq: number, samplingRate: number, orders: number, a: Float64Array, b: Float64Array, resid: Float64Array): void {
  let dc = 0;
  for (let n = 0; n < len; n++) dc += x[n]!;
  dc = len > 0 ? dc / len : 0;
  for (let n = 0; n < len; n++) resid[n] = x[n]! - dc;
  // Fundamental first (exact least squares), then every harmonic projected from what it leaves, then all
  // harmonics taken away at once.
  for (let h = 1; h <= orders; h++) {
    const w = (2 * Math.PI * h * freq) / samplingRate;
    const cw = Math.cos(w), sw = Math.sin(w);
    // cos(wn), sin(wn) by rotation; renormalised every 256 samples against drift.
    let c = 1, s = 0;
    let xc = 0, xs = 0, cc = 0, ss = 0, cs = 0;
    for (let n = 0; n < len; n++) {
      const v = resid[n]!;
      xc += v * c;
      xs += v * s;
      cc += c * c;
      ss += s * s;
      cs += c * s;
      const c2 = c * cw - s * sw;
      s = s * cw + c * sw;
      c = c2;
      if ((n & 255) === 255) {
        const r = 1 / Math.sqrt(c * c + s * s);
        c *= r;
        s *= r;
      }
    }
    const det = cc * ss - cs * cs;
    if (h === 1 && det > 1e-9 * len * len) {
      a[0] = (xc * ss - xs * cs) / det;
      b[0] = (xs * cc - xc * cs) / det;
      subtract(resid, len, w, a[0]!, b[0]!);
    } else {
      a[h - 1] = len > 0 ? (2 * xc) / len : 0;
      b[h - 1] = len > 0 ? (2 * xs) / len : 0;
      if (h === 1) subtract(resid, len, w, a[0]!, b[0]!);
    }
  }
  for (let h = 2; h <= orders; h++) subtract(resid, len, (2 * Math.PI * h * freq) / samplingRate, a[h - 1]!, b[h - 1]!);
}

/** resid[n] -= a cos(wn) + b sin(wn). */
function subtract(resid: Float64Array, len: number, w: number, a: number, b: number): void {
  const cw = Math.cos(w), sw = Math.sin(w);
  let c = 1, s = 0;
  for (let n = 0; n < len; n++) {
    resid[n] = resid[n]! - a * c - b * s;
    const c2 = c * cw - s * sw;
    s = s * cw + c * sw;
    c = c2;
    if ((n & 255) === 255) {
      const r = 1 / Math.sqrt(c * c + s * s);
      c *= r;
      s *= r;
    }
  }
}

/** Median of |v[0..n)| (quickselect on a scratch copy; `scratch` holds at least n). */
export function medianAbs(v: Float64Array, n: number, scratch: Float64Array): number {
  if (n <= 0) return 0;
  for (let i = 0; i < n; i++) scratch[i] = Math.abs(v[i]!);
  const k = n >> 1;
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const pivot = scratch[(lo + hi) >> 1]!;
    let i = lo, j = hi;
    while (i <= j) {
      while (scratch[i]! < pivot) i++;
      while (scratch[j]! > pivot) j--;
      if (i <= j) {
        const tmp = scratch[i]!;
        scratch[i] = scratch[j]!;
        scratch[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return scratch[k]!;
}
