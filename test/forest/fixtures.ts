/** Small seeded data sets for the forest and model tests: no dependency on the synth/process stages. */
import type { Dataset } from '../../host/pipeline/dataset.ts';
import { Rng } from '../../host/forest/rng.ts';

/**
 * K Gaussian-ish blobs in F dimensions; features 0 and 1 carry the class, the rest are noise.
 * `rowsPerGroup` rows share a window id (to test group splits).
 */
export function blobs(n: number, seed: number, K = 3, F = 5, rowsPerGroup = 1): Dataset {
  const rng = new Rng(seed);
  const X = new Float32Array(n * F);
  const classIdx = new Uint16Array(n);
  const target = new Uint8Array(n);
  const group = new Int32Array(n);
  let cls = 0;
  for (let r = 0; r < n; r++) {
    if (r % rowsPerGroup === 0) cls = rng.int(K);
    group[r] = Math.floor(r / rowsPerGroup);
    classIdx[r] = cls;
    target[r] = cls === 0 ? 0 : 1;
    const noise = (): number => rng.next() + rng.next() + rng.next() - 1.5;
    X[r * F] = Math.cos((2 * Math.PI * cls) / K) * 2 + noise();
    X[r * F + 1] = Math.sin((2 * Math.PI * cls) / K) * 2 + noise();
    for (let f = 2; f < F; f++) X[r * F + f] = noise() * 3;
  }
  return {
    featureNames: Array.from({ length: F }, (_, f) => `f${f}`),
    X,
    nRows: n,
    nFeatures: F,
    target,
    classes: ['normal', ...Array.from({ length: K - 1 }, (_, c) => `c${c + 1}`)],
    classIdx,
    group,
  };
}
