/** A model from disk, whichever kind: model.json (host) or model.bin (device format, host reader). */
import { readFile } from 'node:fs/promises';
import { LEAF_SCALE, argmax, predictRows, type ForestModel } from '../../forest/model.ts';
import { parseModelJson } from '../../forest/io.ts';
import { binVotes, isModelBin, readModelBin, type BinModel } from '../../model/reader.ts';
import type { ForestPredictions, ModelConditions } from '../../forest/model.ts';

export interface Predictor {
  kind: 'json' | 'bin';
  featureNames: string[];
  classes: string[];
  /** Where the model is valid (undefined for models made before conditions were recorded). */
  conditions?: ModelConditions;
  predict(X: Float32Array, nRows: number, nFeatures: number): ForestPredictions;
}

export function jsonPredictor(m: ForestModel): Predictor {
  return { kind: 'json', featureNames: m.featureNames, classes: m.classes, conditions: m.conditions, predict: (X, n, F) => predictRows(m, X, n, F) };
}

export function binPredictor(m: BinModel): Predictor {
  const K = m.header.nClasses;
  return {
    kind: 'bin',
    featureNames: m.featureNames,
    classes: m.classes,
    conditions: m.conditions,
    predict(X, n, F) {
      const cls = new Uint16Array(n);
      const proba = new Float64Array(n * K);
      const votes = new Float64Array(K);
      const total = m.header.nTrees * m.header.leafScale;
      for (let r = 0; r < n; r++) {
        cls[r] = binVotes(m, X.subarray(r * F, (r + 1) * F), votes);
        for (let c = 0; c < K; c++) proba[r * K + c] = votes[c]! / total;
      }
      return { cls, proba };
    },
  };
}

export async function loadPredictor(path: string): Promise<Predictor> {
  const bytes = new Uint8Array(await readFile(path));
  if (isModelBin(bytes)) {
    try {
      return binPredictor(readModelBin(bytes));
    } catch (err) {
      throw new Error(`${path}: ${(err as Error).message}`);
    }
  }
  return jsonPredictor(parseModelJson(new TextDecoder().decode(bytes), path));
}

export { LEAF_SCALE, argmax };
