/**
 * The signed offer and its manifest (docs/ota-protocol.md), and the checks that run before anything is erased.
 * Pure: the signature check and the device facts are passed in.
 */
export type OtaKind = 'firmware' | 'app' | 'model';
export const OFFER_MAGIC = 'JWOF';
export const MAX_MANIFEST_BYTES = 1024;

export interface Manifest {
  kind: OtaKind;
  version: number;
  size: number;
  sha256: string;
  chunk: number;
  session: number;
  target: { device?: string; group?: string };
  chip?: string;
  requires: { contract?: number; engineConfig?: string; format?: number };
  expires: number;
  /** When the publisher signed it (ms since the epoch, 0 unknown): an older offer never supersedes a newer one. */
  issued: number;
}

export interface Offer {
  /** The exact signed bytes. */
  manifestBytes: Uint8Array;
  signature: Uint8Array;
  manifest: Manifest;
}

function ascii(b: Uint8Array): string | null {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c > 0x7e || (c < 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09)) return null;
    s += String.fromCharCode(c);
  }
  return s;
}

const isUint = (v: unknown, max = 0xffffffff): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isStr = (v: unknown): v is string => typeof v === 'string';

/** 64 lowercase hex digits (no RegExp: a static snapshot refuses RegExp literals). */
function isSha256Hex(v: unknown): v is string {
  if (!isStr(v) || v.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = v.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Splits an offer into manifest and signature and parses the manifest. Returns the reason when malformed. */
export function parseOffer(buf: Uint8Array): Offer | string {
  if (buf.length < 6 || buf[0] !== 0x4a || buf[1] !== 0x57 || buf[2] !== 0x4f || buf[3] !== 0x46) return 'not an offer (magic)';
  const m = buf[4]! | (buf[5]! << 8);
  if (m === 0 || m > MAX_MANIFEST_BYTES) return `manifest of ${m} bytes (1..${MAX_MANIFEST_BYTES})`;
  if (buf.length < 6 + m + 8 || buf.length > 6 + m + 72) return 'bad signature length';
  const manifestBytes = buf.subarray(6, 6 + m);
  const signature = buf.subarray(6 + m);
  const text = ascii(manifestBytes);
  if (text === null) return 'manifest is not ASCII';
  let j: any;
  try {
    j = JSON.parse(text);
  } catch (e) {
    return 'manifest is not JSON';
  }
  const manifest = toManifest(j);
  if (typeof manifest === 'string') return manifest;
  return { manifestBytes, signature, manifest };
}

/** The offer's bytes again (what `otaOffer` saves; parseOffer reads it back). */
export function packOffer(o: Offer): Uint8Array {
  const m = o.manifestBytes.length;
  const out = new Uint8Array(6 + m + o.signature.length);
  out.set([0x4a, 0x57, 0x4f, 0x46, m & 0xff, m >>> 8]);
  out.set(o.manifestBytes, 6);
  out.set(o.signature, 6 + m);
  return out;
}

/** The offer arrives in a message buffer the client may reuse: keep a copy of our own (at most 1.1 KB). */
export function copyOffer(o: Offer): Offer {
  return { manifestBytes: copyBytes(o.manifestBytes), signature: copyBytes(o.signature), manifest: o.manifest };
}

/** A copy in a buffer of its own (`slice` of a Node Buffer is a view, so it is not used). */
export function copyBytes(v: Uint8Array): Uint8Array {
  const c = new Uint8Array(v.length);
  c.set(v);
  return c;
}

function toManifest(j: any): Manifest | string {
  if (!j || typeof j !== 'object' || j.v !== 1) return 'manifest format is not 1';
  if (j.kind !== 'firmware' && j.kind !== 'app' && j.kind !== 'model') return `unknown kind ${typeof j.kind === 'string' ? j.kind.slice(0, 16) : typeof j.kind}`; // String() of {"toString":1} throws
  if (!isUint(j.version, 0x7fffffff) || j.version < 1) return 'bad version';
  if (!isUint(j.size) || j.size < 1) return 'bad size';
  if (!isSha256Hex(j.sha256)) return 'bad sha256';
  if (!isUint(j.chunk) || j.chunk < 256 || j.chunk > 4096 || (j.chunk & (j.chunk - 1)) !== 0) return 'bad chunk size';
  if (!isUint(j.session)) return 'bad session';
  const t = j.target;
  if (!t || typeof t !== 'object' || (isStr(t.device) ? isStr(t.group) : !isStr(t.group))) return 'target needs exactly one of device, group';
  const r = j.requires ?? {};
  if (typeof r !== 'object') return 'bad requires';
  if (r.contract !== undefined && !isUint(r.contract)) return 'bad requires.contract';
  if (r.engineConfig !== undefined && !isStr(r.engineConfig)) return 'bad requires.engineConfig';
  if (r.format !== undefined && !isUint(r.format)) return 'bad requires.format';
  if (j.chip !== undefined && !isStr(j.chip)) return 'bad chip';
  if (j.expires !== undefined && !isUint(j.expires, Number.MAX_SAFE_INTEGER)) return 'bad expires';
  if (j.issued !== undefined && !isUint(j.issued, Number.MAX_SAFE_INTEGER)) return 'bad issued';
  return {
    kind: j.kind,
    version: j.version,
    size: j.size,
    sha256: j.sha256,
    chunk: j.chunk,
    session: j.session,
    target: isStr(t.device) ? { device: t.device } : { group: t.group },
    chip: j.chip,
    requires: { contract: r.contract, engineConfig: r.engineConfig, format: r.format },
    expires: j.expires ?? 0,
    issued: j.issued ?? 0,
  };
}

/**
 * An update's identity: everything that shapes the transfer. Two offers with the same identity are the same update
 * (a restarted publisher: the new session is adopted and the progress kept); any difference makes it another one.
 */
export function sameUpdate(a: Manifest, b: Manifest): boolean {
  return a.kind === b.kind && a.version === b.version && a.sha256 === b.sha256 && a.size === b.size && a.chunk === b.chunk;
}

/**
 * What to do with a signed-or-not offer before its signature is checked (docs/ota-protocol.md, One update at a time).
 * `cur`: the update in progress (undefined: none); `afterSwitch`: it has booted the new image (probation);
 * `answered`: the device already answered this session; `lastIssued`: the newest offer the device has taken.
 * - 'ignore': a session already answered, or the current one again (a repeated or redelivered offer);
 * - 'adopt': the same update under a new session (a restarted publisher): progress is kept;
 * - 'busy': another update while the current one is past its boot switch (its probation decides, then it ends);
 * - 'stale': issued before the current or last taken offer (a late redelivery of a superseded offer);
 * - 'judge': check it like any offer; if it passes it supersedes the current update.
 */
export function arbitrate(m: Manifest, cur: Manifest | undefined, afterSwitch: boolean, answered: boolean, lastIssued: number): 'ignore' | 'adopt' | 'busy' | 'stale' | 'judge' {
  if (answered || (cur && m.session === cur.session)) return 'ignore';
  if (cur && sameUpdate(m, cur)) return 'adopt';
  if (m.issued < (cur ? Math.max(cur.issued, lastIssued) : lastIssued)) return 'stale';
  if (cur && afterSwitch) return 'busy';
  return 'judge';
}

/** What the device knows when it judges an offer (named as in OtaOptions and native.info(), which are spread in). */
export interface DeviceFacts {
  deviceId: string;
  group: string;
  chip: string;
  /** ms since the epoch, 0 when the clock is not set. */
  now: number;
  /** Last accepted version of this kind. */
  acceptedVersion: number;
  slotSize: number;
  contractVersion: number;
  engineConfigHash: string;
  /** Largest MQTT message the device takes, and the longest topic frames come on. */
  maxMsg: number;
  dataTopicBytes: number;
  formats: { app: number; model: number };
}

/** The checks after the signature, in the protocol's order: target, expiry, anti-rollback, size, compatibility. */
export function judgeManifest(m: Manifest, d: DeviceFacts): string | null {
  if (m.target.device !== undefined && m.target.device !== d.deviceId) return `wrong device: for ${m.target.device}`;
  if (m.target.group !== undefined && (d.group === '' || m.target.group !== d.group)) return `wrong group: for ${m.target.group}`;
  if (m.chip !== undefined && m.chip !== d.chip) return `wrong chip: for ${m.chip}, this is ${d.chip}`;
  if (m.expires > 0 && d.now > 0 && d.now > m.expires) return 'offer expired';
  if (m.version <= d.acceptedVersion) return `replayed older version: ${m.version} <= accepted ${d.acceptedVersion}`;
  if (m.size > d.slotSize) return `image of ${m.size} bytes is larger than the ${d.slotSize}-byte slot`;
  const r = m.requires;
  if (r.contract !== undefined && r.contract !== d.contractVersion) return `built for native contract ${r.contract}, this runtime has ${d.contractVersion}`;
  if (r.engineConfig !== undefined && !sameHashPrefix(r.engineConfig, d.engineConfigHash)) return `built for engine configuration ${r.engineConfig}, this runtime has ${d.engineConfigHash}`;
  if (r.format !== undefined && m.kind !== 'firmware' && r.format !== d.formats[m.kind]) return `${m.kind} format ${r.format} is not supported (have ${d.formats[m.kind]})`;
  // MQTT fixed header (5) + topic length (2) + topic + frame.
  if (5 + 2 + d.dataTopicBytes + 16 + m.chunk > d.maxMsg) return `frame of ${16 + m.chunk} bytes does not fit the ${d.maxMsg}-byte MQTT buffer`;
  return null;
}

function sameHashPrefix(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return n >= 8 && a.slice(0, n).toLowerCase() === b.slice(0, n).toLowerCase();
}

export function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}
