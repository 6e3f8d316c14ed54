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
}
