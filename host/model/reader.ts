/**
 * Host reader of model.bin: validates everything (magic, version, size, digest, every link) and predicts.
 * Written independently of device/model/reader.ts, so that their parity test compares two readings of the format.
 */
import { BIN_FORMAT_VERSION, FLAG_INT16, FLAG_META, HEADER_BYTES, KNOWN_FLAGS, MAGIC, layout, quantize, type BinHeader } from './format.ts';
import { modelDigest } from './sha256.ts';
import { decodeConditions } from './conditions.ts';
import { LEAF_SCALE, decide, type Decision, type ModelConditions } from '../forest/model.ts';

export interface BinModel {
  header: BinHeader;
  int16: boolean;
  featureNames: string[];
  classes: string[];
  offset: number[];
  scale: number[];
  roots: number[];
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  leaves: number[];
  digest: string;
  /** Where the model is valid and its decision (absent in models packed before they were recorded). */
  conditions?: ModelConditions;
  decision?: Decision;
}

export class ModelFormatError extends Error {}

export function isModelBin(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!) === MAGIC;
}

export function readModelBin(bytes: Uint8Array): BinModel {
  const fail = (why: string): never => {
    throw new ModelFormatError(`model.bin refused: ${why}`);
  };
  if (bytes.length < HEADER_BYTES) fail(`${bytes.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  if (!isModelBin(bytes)) fail('bad magic (not a jerrywatt model.bin)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h: BinHeader = {
    formatVersion: dv.getUint16(4, true),
    flags: dv.getUint16(6, true),
    modelVersion: dv.getUint32(8, true),
    totalSize: dv.getUint32(12, true),
    nFeatures: dv.getUint16(16, true),
    nClasses: dv.getUint16(18, true),
    nTrees: dv.getUint16(20, true),
    leafScale: dv.getUint16(22, true),
    nNodes: dv.getUint32(24, true),
    nLeaves: dv.getUint32(28, true),
  };
  if (h.formatVersion !== BIN_FORMAT_VERSION) fail(`format version ${h.formatVersion}; this reader knows version ${BIN_FORMAT_VERSION}`);
  if (h.flags & ~KNOWN_FLAGS) fail(`unknown flags 0x${h.flags.toString(16)}`);
  if (h.totalSize !== bytes.length) fail(`header says ${h.totalSize} bytes, file has ${bytes.length} (truncated or padded)`);
  const want = Buffer.from(bytes.subarray(32, 64)).toString('hex');
  const got = Buffer.from(modelDigest(bytes)).toString('hex');
  if (want !== got) fail('SHA-256 mismatch (corrupt file)');
  if (!h.nFeatures || h.nClasses < 2 || !h.nTrees || !h.nLeaves) fail('empty model');

  let p = HEADER_BYTES;
  const names: string[] = [];
  for (let i = 0; i < h.nFeatures + h.nClasses; i++) {
    if (p >= bytes.length) fail('names run past the end');
    const len = bytes[p]!;
    names.push(String.fromCharCode(...bytes.subarray(p + 1, p + 1 + len)));
    p += 1 + len;
  }
  let meta: ReturnType<typeof decodeConditions> | undefined;
  if (h.flags & FLAG_META) {
    if (p + 2 > bytes.length) fail('conditions run past the end');
    const len = bytes[p]! | (bytes[p + 1]! << 8);
    if (p + 2 + len > bytes.length) fail('conditions run past the end');
    meta = decodeConditions(String.fromCharCode(...bytes.subarray(p + 2, p + 2 + len)));
    p += 2 + len;
    if (meta.normalClass >= h.nClasses) fail(`decision names class ${meta.normalClass} of ${h.nClasses}`);
  }
  const L = layout(h, p - HEADER_BYTES);
  if (L.end !== bytes.length) fail(`sections end at ${L.end}, file has ${bytes.length} bytes`);
  const int16 = (h.flags & FLAG_INT16) !== 0;
  const F = h.nFeatures;
  const m: BinModel = {
    header: h,
    int16,
    featureNames: names.slice(0, F),
    classes: names.slice(F),
    offset: int16 ? Array.from({ length: F }, (_, f) => dv.getFloat32(L.quant + 4 * f, true)) : [],
    scale: int16 ? Array.from({ length: F }, (_, f) => dv.getFloat32(L.quant + 4 * F + 4 * f, true)) : [],
    roots: Array.from({ length: h.nTrees }, (_, i) => dv.getInt16(L.roots + 2 * i, true)),
    feature: Array.from(bytes.subarray(L.feature, L.feature + h.nNodes)),
    threshold: Array.from({ length: h.nNodes }, (_, i) => (int16 ? dv.getInt16(L.threshold + 2 * i, true) : dv.getFloat32(L.threshold + 4 * i, true))),
    left: Array.from({ length: h.nNodes }, (_, i) => dv.getInt16(L.left + 2 * i, true)),
    right: Array.from({ length: h.nNodes }, (_, i) => dv.getInt16(L.right + 2 * i, true)),
    leaves: Array.from(bytes.subarray(L.leaves, L.leaves + h.nLeaves * h.nClasses)),
    digest: got,
    ...(meta?.conditions ? { conditions: meta.conditions } : {}),
    ...(meta && meta.minAnomalyVotes > 0 ? { decision: { normalClass: meta.normalClass, minAnomalyVotes: meta.minAnomalyVotes } } : {}),
  };
  const linkOk = (from: number, c: number): boolean => (c >= 0 ? c > from && c < h.nNodes : ~c < h.nLeaves);
  m.roots.forEach((r, i) => linkOk(-1, r) || fail(`tree ${i}: bad root ${r}`));
  for (let i = 0; i < h.nNodes; i++) {
    if (m.feature[i]! >= F) fail(`node ${i}: feature ${m.feature[i]} out of range`);
    if (!linkOk(i, m.left[i]!) || !linkOk(i, m.right[i]!)) fail(`node ${i}: bad child link`);
  }
  return m;
}

/** Integer votes of every tree for x; returns the winning class (ties to the lower index). */
export function binVotes(m: BinModel, x: ArrayLike<number>, votes: Float64Array): number {
  const K = m.header.nClasses;
  votes.fill(0);
  for (const root of m.roots) {
    let n = root;
    while (n >= 0) {
      const f = m.feature[n]!;
      const v = m.int16 ? quantize(x[f]!, m.offset[f]!, m.scale[f]!) : x[f]!;
      n = v <= m.threshold[n]! ? m.left[n]! : m.right[n]!;
    }
    for (let c = 0; c < K; c++) votes[c] += m.leaves[~n * K + c]!;
  }
  return decide(votes, m.header.nTrees * m.header.leafScale, m.decision);
}

export { LEAF_SCALE };
