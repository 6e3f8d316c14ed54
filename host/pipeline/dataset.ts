/**
 * The in-memory table that flows between pipeline stages: process -> fit -> export -> evaluate.
 * Row-major Float32 features; one row per window (waveform) or per aligned meter sample.
 */
export interface Dataset {
  featureNames: string[];
  /** nRows x nFeatures, row-major. */
  X: Float32Array;
  nRows: number;
  nFeatures: number;
  /** Binary target: 0 normal, 1 anomaly. */
  target: Uint8Array;
  /** Class names; classIdx indexes into it. Empty when the source has no class column. */
  classes: string[];
  classIdx: Uint16Array;
  /** Window (group) id per row, so splits never separate rows of one window. */
  group: Int32Array;
  /** Per row sampling conditions, when the source knows them (waveform data). */
  conditions?: RowConditions;
}

/** The conditions a waveform was recorded in; snrDb is NaN where unknown. */
export interface RowConditions {
  samplingRate: Float32Array;
  mainsHz: Uint8Array;
  nominalV: Float32Array;
  snrDb: Float32Array;
}

/** Picks rows of per-row conditions (the same order as `rows`). */
export function subsetConditions(c: RowConditions | undefined, rows: ArrayLike<number>): RowConditions | undefined {
  if (!c) return undefined;
  const pick = <T extends Float32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
    const out = make(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = a[rows[i]!]!;
    return out;
  };
  return {
    samplingRate: pick(c.samplingRate, (n) => new Float32Array(n)),
    mainsHz: pick(c.mainsHz, (n) => new Uint8Array(n)),
    nominalV: pick(c.nominalV, (n) => new Float32Array(n)),
    snrDb: pick(c.snrDb, (n) => new Float32Array(n)),
  };
}
