/** Several CSVs of one kind into one Dataset: features must match; classes are merged; groups stay distinct. */
import type { Dataset } from '../dataset.ts';

export function concatDatasets(parts: Dataset[]): Dataset {
  if (parts.length === 1) return parts[0]!;
  const names = parts[0]!.featureNames;
  for (const p of parts) {
    if (p.featureNames.join(',') !== names.join(',')) throw new Error(`the data files have different feature columns: ${names.join(', ')} vs ${p.featureNames.join(', ')}`);
  }
  const classes: string[] = [];
  for (const p of parts) for (const c of p.classes) if (!classes.includes(c)) classes.push(c);
  const hasClasses = parts.every((p) => p.classes.length > 0);
  const nRows = parts.reduce((a, p) => a + p.nRows, 0);
  const F = names.length;
  const out: Dataset = {
    featureNames: names.slice(),
    X: new Float32Array(nRows * F),
    nRows,
    nFeatures: F,
    target: new Uint8Array(nRows),
    classes: hasClasses ? classes : [],
    classIdx: new Uint16Array(nRows),
    group: new Int32Array(nRows),
  };
  let at = 0;
  let groupBase = 0;
  for (const p of parts) {
    out.X.set(p.X.subarray(0, p.nRows * F), at * F);
    out.target.set(p.target.subarray(0, p.nRows), at);
    let maxGroup = -1;
    for (let r = 0; r < p.nRows; r++) {
      if (hasClasses) out.classIdx[at + r] = classes.indexOf(p.classes[p.classIdx[r]!]!);
      out.group[at + r] = groupBase + p.group[r]!;
      maxGroup = Math.max(maxGroup, p.group[r]!);
    }
    groupBase += maxGroup + 1;
    at += p.nRows;
  }
  return out;
}
