/**
 * Synthetic windows straight into a Dataset (no CSV round trip): for benchmarks and tests that need many
 * conditions. Same generator and feature code as `synth` + `process`.
 */
import type { Dataset } from '../dataset.ts';
import { classOrder } from './classes.ts';
import { synthesizeWindows, type SynthOptions } from './generate.ts';
import { WAVEFORM_FEATURES, waveformFeatures } from '../process/features.ts';

export function synthDataset(opts: SynthOptions, notes?: Set<string>): Dataset {
  const F = WAVEFORM_FEATURES.length;
  const X = new Float32Array(opts.windows * F);
  const names: string[] = [];
  const target = new Uint8Array(opts.windows);
  const rate = new Float32Array(opts.windows);
  const mains = new Uint8Array(opts.windows);
  const nominal = new Float32Array(opts.windows);
  const snr = new Float32Array(opts.windows);
  let i = 0;
  for (const w of synthesizeWindows(opts, notes)) {
    waveformFeatures(w.voltage, w.samplingRate, w.mainsHz, w.nominalV, X.subarray(i * F, (i + 1) * F));
    names.push(w.cls);
    target[i] = w.target;
    rate[i] = w.samplingRate;
    mains[i] = w.mainsHz;
    nominal[i] = w.nominalV;
    snr[i] = w.snrDb;
    i++;
  }
  const classes = classOrder(names);
  const idx = new Map(classes.map((c, k) => [c, k]));
  return {
    featureNames: [...WAVEFORM_FEATURES],
    X,
    nRows: i,
    nFeatures: F,
    target,
    classes,
    classIdx: Uint16Array.from(names, (n) => idx.get(n)!),
    group: Int32Array.from({ length: i }, (_, k) => k),
    conditions: { samplingRate: rate, mainsHz: mains, nominalV: nominal, snrDb: snr },
  };
}

/** Concatenates data sets of the same features; class indices are remapped to one class order. */
export function joinDatasets(parts: Dataset[]): Dataset {
  const classes = classOrder(parts.flatMap((p) => p.classes));
  const idx = new Map(classes.map((c, k) => [c, k]));
  const n = parts.reduce((a, p) => a + p.nRows, 0);
  const F = parts[0]!.nFeatures;
  const X = new Float32Array(n * F);
  const out: Dataset = { featureNames: parts[0]!.featureNames.slice(), X, nRows: n, nFeatures: F, target: new Uint8Array(n), classes, classIdx: new Uint16Array(n), group: new Int32Array(n), conditions: { samplingRate: new Float32Array(n), mainsHz: new Uint8Array(n), nominalV: new Float32Array(n), snrDb: new Float32Array(n) } };
  let at = 0;
  for (const p of parts) {
    X.set(p.X.subarray(0, p.nRows * F), at * F);
    for (let r = 0; r < p.nRows; r++) {
      out.target[at + r] = p.target[r]!;
      out.classIdx[at + r] = idx.get(p.classes[p.classIdx[r]!]!)!;
      out.group[at + r] = at + r;
      const c = p.conditions!;
      out.conditions!.samplingRate[at + r] = c.samplingRate[r]!;
      out.conditions!.mainsHz[at + r] = c.mainsHz[r]!;
      out.conditions!.nominalV[at + r] = c.nominalV[r]!;
      out.conditions!.snrDb[at + r] = c.snrDb[r]!;
    }
    at += p.nRows;
  }
  return out;
}
