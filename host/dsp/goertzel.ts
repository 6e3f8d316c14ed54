/**
 * Exact DFT bins at the harmonics of a synchronised window (IEC 61000-4-7): a window of exactly `cycles`
 * fundamental periods over `len` samples puts harmonic h on DFT bin h*cycles, so no zero-padding and no
 * power-of-two FFT (fft.js would pad 1280 to 2048 samples and move every bin off the 5 Hz grid).
 *
 * Goertzel per bin is one multiply and two adds per sample; we run four bins per pass so the four
 * recurrences are independent and the CPU overlaps them (a single Goertzel chain is latency-bound).
 * Coefficients are cached per (len, cycles, orders) so steady-state calls allocate nothing.
 */

interface BinCoefficients {
  cycles: number;
  /** 2*cos(w_h) per harmonic order (index h-1), padded to a multiple of 4. */
  coef: Float64Array;
  cos: Float64Array;
  sin: Float64Array;
}

const cache = new Map<number, BinCoefficients>();
const MAX_CACHE = 4096;

function coefficients(len: number, cycles: number, orders: number): BinCoefficients {
  // A small-integer key (no boxed number, so a hit allocates nothing); cycles is checked in the entry.
  const key = len * 64 + orders;
  let c = cache.get(key);
  if (c && c.cycles === cycles) return c;
  const padded = Math.ceil(orders / 4) * 4;
  c = { cycles, coef: new Float64Array(padded), cos: new Float64Array(padded), sin: new Float64Array(padded) };
  for (let i = 0; i < padded; i++) {
    const w = (2 * Math.PI * (i + 1) * cycles) / len;
    c.coef[i] = 2 * Math.cos(w);
    c.cos[i] = Math.cos(w);
    c.sin[i] = Math.sin(w);
  }
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(key, c);
  return c;
}

/**
 * RMS magnitude of harmonics 1..orders of `x[start .. start+len)`, a window holding exactly `cycles`
 * periods of the fundamental. out[h-1] = RMS of harmonic h (a sine of peak A gives A/sqrt(2)).
 * `out` must hold at least ceil(orders/4)*4 values (the padding is scratch).
 */
export function harmonicRms(
  x: ArrayLike<number>,
  start: number,
  len: number,
  cycles: number,
  orders: number,
  out: Float64Array,
): Float64Array {
  const { coef, cos, sin } = coefficients(len, cycles, orders);
  const end = start + len;
  const scale = Math.SQRT2 / len;
  for (let g = 0; g < coef.length; g += 4) {
    const c0 = coef[g], c1 = coef[g + 1], c2 = coef[g + 2], c3 = coef[g + 3];
    let a1 = 0, a2 = 0, b1 = 0, b2 = 0, d1 = 0, d2 = 0, e1 = 0, e2 = 0;
    for (let n = start; n < end; n++) {
      const v = x[n];
      const a0 = v + c0 * a1 - a2;
      a2 = a1;
      a1 = a0;
      const b0 = v + c1 * b1 - b2;
      b2 = b1;
      b1 = b0;
      const d0 = v + c2 * d1 - d2;
      d2 = d1;
      d1 = d0;
      const e0 = v + c3 * e1 - e2;
      e2 = e1;
      e1 = e0;
    }
    out[g] = scale * magnitude(a1, a2, cos[g], sin[g]);
    out[g + 1] = scale * magnitude(b1, b2, cos[g + 1], sin[g + 1]);
    out[g + 2] = scale * magnitude(d1, d2, cos[g + 2], sin[g + 2]);
    out[g + 3] = scale * magnitude(e1, e2, cos[g + 3], sin[g + 3]);
  }
  return out;
}

/** |X| from the final Goertzel state: X = s1 - s2*e^{-jw}. */
function magnitude(s1: number, s2: number, c: number, s: number): number {
  const re = s1 - s2 * c;
  const im = s2 * s;
  return Math.sqrt(re * re + im * im);
}

/** Scratch length `harmonicRms` needs for `orders` harmonics. */
export function harmonicScratchLength(orders: number): number {
  return Math.ceil(orders / 4) * 4;
}

/**
 * Highest harmonic order to evaluate: `maxOrder` (40 per EN 50160), capped strictly below Nyquist.
 * At 1000 Hz and 50 Hz that is 9; at 6400 Hz it is the full 40.
 */
export function harmonicCap(samplingRate: number, mainsHz: number, maxOrder = 40): number {
  const below = Math.ceil(samplingRate / 2 / mainsHz) - 1;
  return Math.max(1, Math.min(maxOrder, below));
}
