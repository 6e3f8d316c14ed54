/** ForestModel -> model.bin (see format.ts). */
import type { ForestModel } from '../forest/model.ts';
import { LEAF_SCALE } from '../forest/model.ts';
import { BIN_FORMAT_VERSION, FLAG_INT16, FLAG_META, HEADER_BYTES, MAGIC, Q_MAX, layout, quantize, type BinHeader } from './format.ts';
import { encodeConditions } from './conditions.ts';
import { modelDigest } from './sha256.ts';

export interface PackOptions {
  quantize?: 'float32' | 'int16';
  modelVersion?: number;
}

export interface Packed {
  bytes: Uint8Array;
  header: BinHeader;
  /** All tree nodes (internal + leaf) over the bytes: the "bytes per node" figure. */
  bytesPerNode: number;
  treeNodes: number;
}

function nameBytes(s: string, what: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new Error(`${what} ${JSON.stringify(s)}: only printable ASCII fits the device header`);
    out.push(c);
  }
  if (out.length > 255) throw new Error(`${what} ${JSON.stringify(s)} is longer than 255 characters`);
  return [out.length, ...out];
}

export function packModel(m: ForestModel, opts: PackOptions = {}): Packed {
  const F = m.featureNames.length;
  const K = m.classes.length;
  if (F > 255) throw new Error(`${F} features: model.bin holds at most 255`);
  const int16 = opts.quantize === 'int16';

  // De-duplicate leaves across the forest; renumber internal nodes globally, tree after tree.
  const leafIds = new Map<string, number>();
  const leafRows: number[][] = [];
  const roots: number[] = [];
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  let treeNodes = 0;
  for (const t of m.trees) {
    const base = feature.length;
    const nLeaves = t.leaves.length / K;
    treeNodes += t.feature.length + nLeaves;
    const leafMap: number[] = [];
    for (let l = 0; l < nLeaves; l++) {
      const row = t.leaves.slice(l * K, (l + 1) * K);
      const key = row.join(',');
      let id = leafIds.get(key);
      if (id === undefined) {
        id = leafRows.length;
        leafIds.set(key, id);
        leafRows.push(row);
      }
      leafMap.push(id);
    }
    const link = (c: number): number => (c >= 0 ? base + c : ~leafMap[~c]!);
    roots.push(t.feature.length ? base : ~leafMap[0]!);
    for (let i = 0; i < t.feature.length; i++) {
      feature.push(t.feature[i]!);
      threshold.push(t.threshold[i]!);
      left.push(link(t.left[i]!));
      right.push(link(t.right[i]!));
    }
  }
  if (feature.length > 32767) throw new Error(`${feature.length} internal nodes: model.bin links are 16-bit (at most 32767)`);
  if (leafRows.length > 32768) throw new Error(`${leafRows.length} distinct leaves: model.bin holds at most 32768`);
  if (m.trees.length > 65535) throw new Error('too many trees');

  // int16: per feature, map the span of its thresholds onto +-32000 (a margin below Q_MAX for clamping).
  const offset = new Float32Array(F);
  const scale = new Float32Array(F).fill(1);
  if (int16) {
    const lo = new Array<number>(F).fill(Infinity);
    const hi = new Array<number>(F).fill(-Infinity);
    feature.forEach((f, i) => {
      lo[f] = Math.min(lo[f]!, threshold[i]!);
      hi[f] = Math.max(hi[f]!, threshold[i]!);
    });
    for (let f = 0; f < F; f++) {
      if (lo[f] === Infinity) continue;
      offset[f] = (lo[f]! + hi[f]!) / 2;
      const s = (hi[f]! - lo[f]!) / (2 * (Q_MAX - 767));
      scale[f] = s > 0 && Number.isFinite(s) ? s : 1;
    }
  }

  const names = [...m.featureNames.flatMap((s) => nameBytes(s, 'feature name')), ...m.classes.flatMap((s) => nameBytes(s, 'class name'))];
  // Where the model is valid and its decision threshold, when the model knows them.
  const hasMeta = m.conditions !== undefined || m.decision !== undefined;
  if (hasMeta) {
    const text = encodeConditions(m.conditions, m.decision?.minAnomalyVotes ?? 0, m.decision?.normalClass ?? Math.max(0, m.classes.indexOf('normal')));
    const bytes = nameBytes(text, 'conditions').slice(1);
    names.push(bytes.length & 0xff, bytes.length >> 8, ...bytes);
  }
  const header: BinHeader = {
    formatVersion: BIN_FORMAT_VERSION,
    flags: (int16 ? FLAG_INT16 : 0) | (hasMeta ? FLAG_META : 0),
    modelVersion: (opts.modelVersion ?? 1) >>> 0,
    totalSize: 0,
    nFeatures: F,
    nClasses: K,
    nTrees: m.trees.length,
    leafScale: LEAF_SCALE,
    nNodes: feature.length,
    nLeaves: leafRows.length,
  };
  const L = layout(header, names.length);
  header.totalSize = L.end;
  const bytes = new Uint8Array(L.end);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = MAGIC.charCodeAt(i);
  dv.setUint16(4, header.formatVersion, true);
  dv.setUint16(6, header.flags, true);
  dv.setUint32(8, header.modelVersion, true);
  dv.setUint32(12, header.totalSize, true);
  dv.setUint16(16, F, true);
  dv.setUint16(18, K, true);
  dv.setUint16(20, header.nTrees, true);
  dv.setUint16(22, header.leafScale, true);
  dv.setUint32(24, header.nNodes, true);
  dv.setUint32(28, header.nLeaves, true);
  bytes.set(names, HEADER_BYTES);
  if (int16) {
    for (let f = 0; f < F; f++) {
      dv.setFloat32(L.quant + 4 * f, offset[f]!, true);
      dv.setFloat32(L.quant + 4 * F + 4 * f, scale[f]!, true);
    }
  }
  roots.forEach((r, i) => dv.setInt16(L.roots + 2 * i, r, true));
  for (let i = 0; i < feature.length; i++) {
    bytes[L.feature + i] = feature[i]!;
    if (int16) {
      const f = feature[i]!;
      dv.setInt16(L.threshold + 2 * i, quantize(threshold[i]!, Math.fround(offset[f]!), Math.fround(scale[f]!)), true);
    } else dv.setFloat32(L.threshold + 4 * i, threshold[i]!, true);
    dv.setInt16(L.left + 2 * i, left[i]!, true);
    dv.setInt16(L.right + 2 * i, right[i]!, true);
  }
  leafRows.forEach((row, l) => bytes.set(row, L.leaves + l * K));
  bytes.set(modelDigest(bytes), 32);
  return { bytes, header, bytesPerNode: L.end / Math.max(1, treeNodes), treeNodes };
}
