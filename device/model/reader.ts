/**
 * Device-side model.bin reader (format in host/model/format.ts). openModel() checks the header and every link
 * once, then keeps typed-array views over the caller's buffer (memory-mapped flash on the board: nothing is
 * copied). predict() walks the trees with no object allocation: scratch votes/quantized inputs live in the model.
 */

const HEADER = 64;
const FORMAT_VERSION = 1;
const FLAG_INT16 = 1;
const FLAG_META = 2;
const Q_MAX = 32767;

export interface DeviceModel {
  modelVersion: number;
  nFeatures: number;
  nClasses: number;
  nTrees: number;
  leafScale: number;
  int16: boolean;
  featureNames: string[];
  classes: string[];
  /** Votes of the last predict(): proba of class c = votes[c] / (nTrees * leafScale). */
  votes: Uint32Array;
  offset: Float32Array;
  scale: Float32Array;
  roots: Int16Array;
  feature: Uint8Array;
  thrF: Float32Array;
  thrQ: Int16Array;
  left: Int16Array;
  right: Int16Array;
  leaves: Uint8Array;
  qx: Int32Array;
  /** Where the model is valid (model.bin conditions block; '' and empty lists when the model has none). */
  featureSet: string;
  samplingRates: number[];
  mainsFrequencies: number[];
  nominalVoltages: number[];
  /** Decision: anomaly when the votes against `normalClass` reach this (0: the most voted class). */
  minAnomalyVotes: number;
  normalClass: number;
}

/** Comma-separated numbers ("50,60"); no RegExp (the device image is a snapshot without them). */
function numberList(text: string): number[] {
  const out: number[] = [];
  if (!text) return out;
  const parts = text.split(',');
  for (let i = 0; i < parts.length; i++) {
    const v = Number(parts[i]);
    if (v === v) out.push(v);
  }
  return out;
}

const align4 = (n: number): number => (n + 3) & ~3;

function fail(why: string): never {
  throw new Error('model refused: ' + why);
}

/** SHA-256 of `bytes` with [zeroFrom, zeroTo) hashed as zeros (on the device, one over native.sha256*; tests use Node's). */
export type ModelDigest = (bytes: Uint8Array, zeroFrom: number, zeroTo: number) => Uint8Array;

/**
 * Opens a model from buf[byteOffset, byteOffset + byteLength). With a digest function, also checks the SHA-256.
 * The digest is passed in so the device, which hashes with native.sha256*, does not carry a JS SHA-256.
 */
export function openModel(buf: ArrayBuffer, byteOffset = 0, byteLength = buf.byteLength - byteOffset, digest: ModelDigest | false = false): DeviceModel {
  if (byteOffset % 4 !== 0) fail('buffer offset not 4-aligned');
  if (byteLength < HEADER) fail('shorter than the header');
  const b = new Uint8Array(buf, byteOffset, byteLength);
  const dv = new DataView(buf, byteOffset, byteLength);
  if (b[0] !== 0x4a || b[1] !== 0x57 || b[2] !== 0x52 || b[3] !== 0x46) fail('bad magic');
  const version = dv.getUint16(4, true);
  if (version !== FORMAT_VERSION) fail('format version ' + version + ', this reader knows ' + FORMAT_VERSION);
  const flags = dv.getUint16(6, true);
  if (flags & ~(FLAG_INT16 | FLAG_META)) fail('unknown flags');
  const total = dv.getUint32(12, true);
  if (total > byteLength) fail('truncated: header says ' + total + ' bytes');
  const F = dv.getUint16(16, true);
  const K = dv.getUint16(18, true);
  const T = dv.getUint16(20, true);
  const N = dv.getUint32(24, true);
  const NL = dv.getUint32(28, true);
  if (!F || K < 2 || !T || !NL || N > 32767 || NL > 32768) fail('bad counts');
  if (digest) {
    const d = digest(b.subarray(0, total), 32, 64);
    for (let i = 0; i < 32; i++) if (d[i] !== b[32 + i]) fail('SHA-256 mismatch');
  }
  let p = HEADER;
  const names: string[] = [];
  for (let i = 0; i < F + K; i++) {
    if (p >= total) fail('names run past the end');
    const len = b[p]!;
    if (p + 1 + len > total) fail('names run past the end');
    let s = '';
    for (let j = 0; j < len; j++) s += String.fromCharCode(b[p + 1 + j]!);
    names.push(s);
    p += 1 + len;
  }
  let meta = '';
  if (flags & FLAG_META) {
    if (p + 2 > total) fail('conditions run past the end');
    const len = b[p]! | (b[p + 1]! << 8);
    if (p + 2 + len > total) fail('conditions run past the end');
    for (let j = 0; j < len; j++) meta += String.fromCharCode(b[p + 2 + j]!);
    p += 2 + len;
  }
  const kv: { [k: string]: string } = {};
  const items = meta ? meta.split(';') : [];
  for (let j = 0; j < items.length; j++) {
    const eq = items[j]!.indexOf('=');
    if (eq > 0) kv[items[j]!.slice(0, eq)] = items[j]!.slice(eq + 1);
  }
  const thr = Number(kv['thr'] || 0);
  const normalClass = Number(kv['normal'] || 0);
  if (!(thr >= 0) || !(normalClass >= 0 && normalClass < K)) fail('bad decision threshold');
  const int16 = (flags & FLAG_INT16) !== 0;
  const quant = align4(p);
  const roots = quant + (int16 ? 8 * F : 0);
  const feature = align4(roots + 2 * T);
  const threshold = align4(feature + N);
  const left = align4(threshold + (int16 ? 2 : 4) * N);
  const right = align4(left + 2 * N);
  const leaves = align4(right + 2 * N);
  const end = align4(leaves + NL * K);
  if (end !== total) fail('section sizes do not add up');
  const o = byteOffset;
  const m: DeviceModel = {
    modelVersion: dv.getUint32(8, true),
    nFeatures: F,
    nClasses: K,
    nTrees: T,
    leafScale: dv.getUint16(22, true),
    int16,
    featureNames: names.slice(0, F),
    classes: names.slice(F),
    votes: new Uint32Array(K),
    offset: new Float32Array(buf, o + quant, int16 ? F : 0),
    // Without int16 there is no scale table: its offset may lie past the end of a tiny model (a RangeError).
    scale: new Float32Array(buf, o + quant + (int16 ? 4 * F : 0), int16 ? F : 0),
    roots: new Int16Array(buf, o + roots, T),
    feature: new Uint8Array(buf, o + feature, N),
    thrF: new Float32Array(buf, o + threshold, int16 ? 0 : N),
    thrQ: new Int16Array(buf, o + threshold, int16 ? N : 0),
    left: new Int16Array(buf, o + left, N),
    right: new Int16Array(buf, o + right, N),
    leaves: new Uint8Array(buf, o + leaves, NL * K),
    qx: new Int32Array(int16 ? F : 0),
    featureSet: kv['fv'] || '',
    samplingRates: numberList(kv['fs'] || ''),
    mainsFrequencies: numberList(kv['mains'] || ''),
    nominalVoltages: numberList(kv['un'] || ''),
    minAnomalyVotes: thr,
    normalClass,
  };
  // Every child after its parent and in range: a walk always ends inside the arrays, whatever the file says.
  for (let t = 0; t < T; t++) if (m.roots[t]! >= N || ~m.roots[t]! >= NL) fail('bad root');
  for (let i = 0; i < N; i++) {
    if (m.feature[i]! >= F) fail('bad feature at node ' + i);
    const l = m.left[i]!;
    const r = m.right[i]!;
    if ((l >= 0 && (l <= i || l >= N)) || (l < 0 && ~l >= NL)) fail('bad link at node ' + i);
    if ((r >= 0 && (r <= i || r >= N)) || (r < 0 && ~r >= NL)) fail('bad link at node ' + i);
  }
  return m;
}

/** Class index for feature vector x (length >= nFeatures); m.votes holds the votes. Allocation-free. */
export function predict(m: DeviceModel, x: ArrayLike<number>): number {
  const K = m.nClasses;
  const votes = m.votes;
  const feature = m.feature;
  const left = m.left;
  const right = m.right;
  const leaves = m.leaves;
  votes.fill(0);
  if (m.int16) {
    const qx = m.qx;
    for (let f = 0; f < m.nFeatures; f++) {
      const q = Math.round((x[f]! - m.offset[f]!) / m.scale[f]!);
      qx[f] = q > Q_MAX ? Q_MAX : q < -Q_MAX ? -Q_MAX : q !== q ? Q_MAX : q;
    }
    const thr = m.thrQ;
    for (let t = 0; t < m.nTrees; t++) {
      let n = m.roots[t]!;
      while (n >= 0) n = qx[feature[n]!]! <= thr[n]! ? left[n]! : right[n]!;
      const base = ~n * K;
      for (let c = 0; c < K; c++) votes[c] += leaves[base + c]!;
    }
  } else {
    const thr = m.thrF;
    for (let t = 0; t < m.nTrees; t++) {
      let n = m.roots[t]!;
      while (n >= 0) n = x[feature[n]!]! <= thr[n]! ? left[n]! : right[n]!;
      const base = ~n * K;
      for (let c = 0; c < K; c++) votes[c] += leaves[base + c]!;
    }
  }
  // The decision both sides make (host/forest/model.ts decide()): integer votes, so host and device agree.
  const normal = m.normalClass;
  if (m.minAnomalyVotes > 0) {
    if (m.nTrees * m.leafScale - votes[normal]! < m.minAnomalyVotes) return normal;
    let cls = -1;
    for (let c = 0; c < K; c++) if (c !== normal && (cls < 0 || votes[c]! > votes[cls]!)) cls = c;
    return cls;
  }
  let best = 0;
  for (let c = 1; c < K; c++) if (votes[c]! > votes[best]!) best = c;
  return best;
}
