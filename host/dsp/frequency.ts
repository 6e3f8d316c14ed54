/**
 * Fundamental frequency of a short window from the phase advance of the fundamental phasor between
 * segments of whole nominal cycles. The sum of X[i+K] * conj(X[i]) weights each pair by its magnitude, so
 * cycles wiped out by an interruption simply drop out, and noise and harmonics average away (harmonics are
 * orthogonal over whole cycles). Lag 1 resolves the coarse value (unambiguous to +-f0/2k); a long lag then
 * refines it.
 */

interface SegmentTable {
  /** Samples per segment (a whole number of nominal cycles, or as close as the rate allows). */
  len: number;
  /** Nominal cycles per segment. */
  cycles: number;
  cos: Float64Array;
  sin: Float64Array;
}

const tables = new Map<number, SegmentTable>();
let scratchRe = new Float64Array(64);
let scratchIm = new Float64Array(64);

function segmentTable(samplingRate: number, mainsHz: number): SegmentTable {
  const key = samplingRate * 1000 + mainsHz;
  let t = tables.get(key);
  if (t) return t;
  // The fewest cycles whose length is (nearly) a whole number of samples: 6400/60 Hz needs 3 cycles = 320.
  const perCycle = samplingRate / mainsHz;
  let cycles = 1;
  for (let k = 1; k <= 6; k++) {
    if (Math.abs(k * perCycle - Math.round(k * perCycle)) < 1e-6) {
      cycles = k;
      break;
    }
  }
  const len = Math.round(cycles * perCycle);
  const cos = new Float64Array(len);
  const sin = new Float64Array(len);
  const w = (2 * Math.PI * mainsHz) / samplingRate;
  for (let n = 0; n < len; n++) {
    cos[n] = Math.cos(w * n);
    sin[n] = Math.sin(w * n);
  }
  t = { len, cycles, cos, sin };
  tables.set(key, t);
  return t;
}

/** Estimated fundamental frequency in Hz; `mainsHz` when the window holds too little signal to tell. */
export function estimateFrequency(x: ArrayLike<number>, length: number, samplingRate: number, mainsHz: number): number {
  const t = segmentTable(samplingRate, mainsHz);
  const segs = Math.floor(length / t.len);
  if (segs < 2) return mainsHz;
  if (scratchRe.length < segs) {
    scratchRe = new Float64Array(segs * 2);
    scratchIm = new Float64Array(segs * 2);
  }
  const { cos, sin, len } = t;
  for (let s = 0; s < segs; s++) {
    let re = 0, im = 0;
    const base = s * len;
    for (let n = 0; n < len; n++) {
      const v = x[base + n];
      re += v * cos[n];
      im -= v * sin[n];
    }
    scratchRe[s] = re;
    scratchIm[s] = im;
  }
  // Phase advance per segment relative to the nominal (which advances by a whole number of turns).
  const segSeconds = len / samplingRate;
  const nominalTurn = 2 * Math.PI * mainsHz * segSeconds;
  const coarse = lagPhase(1, segs, nominalTurn);
  if (Number.isNaN(coarse)) return mainsHz;
  let df = coarse / (2 * Math.PI * segSeconds);
  const lag = segs >> 1;
  if (lag > 1) {
    const fine = lagPhase(lag, segs, nominalTurn * lag);
    if (!Number.isNaN(fine)) {
      // Unwrap the long-lag phase around the coarse prediction.
      const predicted = 2 * Math.PI * df * segSeconds * lag;
      const turns = Math.round((predicted - fine) / (2 * Math.PI));
      df = (fine + turns * 2 * Math.PI) / (2 * Math.PI * segSeconds * lag);
    }
  }
  return mainsHz + df;
}

/** arg(sum X[i+lag] conj(X[i]) e^{-j nominal}), or NaN when there is no signal. */
function lagPhase(lag: number, segs: number, nominal: number): number {
  let re = 0, im = 0, energy = 0;
  for (let i = 0; i + lag < segs; i++) {
    const ar = scratchRe[i + lag], ai = scratchIm[i + lag];
    const br = scratchRe[i], bi = scratchIm[i];
    re += ar * br + ai * bi;
    im += ai * br - ar * bi;
    energy += ar * ar + ai * ai + br * br + bi * bi;
  }
  if (energy === 0 || Math.sqrt(re * re + im * im) < 1e-9 * energy) return NaN;
  const c = Math.cos(nominal), s = Math.sin(nominal);
  // Rotate by -nominal.
  return Math.atan2(im * c - re * s, re * c + im * s);
}
