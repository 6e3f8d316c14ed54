/**
 * model.bin, format version 1 (little-endian; the ESP32 and every host we run on are little-endian).
 *
 *   0  "JWRF"            magic
 *   4  u16 format version (1)        6  u16 flags (bit 0: int16 thresholds)
 *   8  u32 model version            12  u32 total size in bytes
 *  16  u16 features  18 u16 classes 20  u16 trees  22 u16 leaf scale (votes per leaf)
 *  24  u32 internal nodes           28  u32 unique leaves
 *  32  SHA-256 of the whole file with these 32 bytes zeroed
 *  64  names: each feature, then each class, as u8 length + ASCII
 *      [flag bit 1] conditions: u16 length + ASCII "fv=waveform-2;fs=1000,6400;mains=50,60;un=230,120;snr=20,50;
 *      thr=5100;normal=0" (host/model/conditions.ts): where the model is valid, and its decision threshold
 *      (anomaly when the votes against class `normal` reach thr; 0: the most voted class); padded to 4
 *      [int16 only] f32 offset[features], f32 scale[features]: q(x) = clamp(round((x - offset) / scale))
 *      i16 roots[trees], u8 feature[nodes], f32|i16 threshold[nodes], i16 left[nodes], i16 right[nodes],
 *      u8 leaves[leaves x classes]; each section starts 4-aligned.
 * A child link >= 0 is an internal node (always after its parent); a link < 0 is leaf ~link. Leaves are shared
 * by the whole forest (de-duplicated), so a node costs 9 bytes (7 with int16) and a leaf costs nothing more.
 */
export const MAGIC = 'JWRF';
export const BIN_FORMAT_VERSION = 1;
export const HEADER_BYTES = 64;
export const FLAG_INT16 = 1;
/** The conditions block follows the names. */
export const FLAG_META = 2;
export const KNOWN_FLAGS = FLAG_INT16 | FLAG_META;
export const Q_MAX = 32767;

export interface BinHeader {
  formatVersion: number;
  flags: number;
  modelVersion: number;
  totalSize: number;
  nFeatures: number;
  nClasses: number;
  nTrees: number;
  leafScale: number;
  nNodes: number;
  nLeaves: number;
}

export interface BinLayout {
  names: number;
  quant: number;
  roots: number;
  feature: number;
  threshold: number;
  left: number;
  right: number;
  leaves: number;
  end: number;
}

const align4 = (n: number): number => (n + 3) & ~3;

export function layout(h: BinHeader, namesBytes: number): BinLayout {
  const names = HEADER_BYTES;
  const quant = align4(names + namesBytes);
  const roots = quant + (h.flags & FLAG_INT16 ? 8 * h.nFeatures : 0);
  const feature = align4(roots + 2 * h.nTrees);
  const threshold = align4(feature + h.nNodes);
  const left = align4(threshold + (h.flags & FLAG_INT16 ? 2 : 4) * h.nNodes);
  const right = align4(left + 2 * h.nNodes);
  const leaves = align4(right + 2 * h.nNodes);
  const end = align4(leaves + h.nLeaves * h.nClasses);
  return { names, quant, roots, feature, threshold, left, right, leaves, end };
}

/** The quantizer both sides use; computed in double from float32 offset/scale, so host and device agree. */
export function quantize(x: number, offset: number, scale: number): number {
  const q = Math.round((x - offset) / scale);
  return q > Q_MAX ? Q_MAX : q < -Q_MAX ? -Q_MAX : q !== q ? Q_MAX : q;
}
