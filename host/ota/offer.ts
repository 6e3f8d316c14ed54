/**
 * Host side of the signed offer (docs/ota-protocol.md): key pairs, the manifest of an image, and the offer bytes
 * (magic, manifest, DER signature). The device checks the same bytes with device/ota/manifest.ts.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomInt, sign, type KeyObject } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { parseAppImageHeader, validateAppImage } from '../../build/app-image.ts';
import { checkFirmwareImage } from './firmware-image.ts';
import type { Manifest, OtaKind } from '../../device/ota/manifest.ts';

export type { Manifest, OtaKind };

/** Writes `<base>.key` (PKCS#8 PEM, mode 0600) and `<base>.pub` (SPKI PEM). Returns both paths. */
export function writeKeyPair(base: string): { privatePath: string; publicPath: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privatePath = `${base}.key`;
  const publicPath = `${base}.pub`;
  writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(privatePath, 0o600);
  writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }));
  return { privatePath, publicPath };
}

export function loadPrivateKey(path: string): KeyObject {
  const key = createPrivateKey(readFileSync(path));
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error(`${path}: not an ECDSA P-256 private key`);
  return key;
}

/** SPKI DER of a public key given as PEM or DER (what the device keeps in `otaPubKey`). */
export function publicKeyDer(pemOrDer: Uint8Array | string): Buffer {
  const text = typeof pemOrDer === 'string' ? pemOrDer : Buffer.from(pemOrDer).toString('latin1');
  const key = text.includes('-----BEGIN') ? createPublicKey(text) : createPublicKey({ key: Buffer.from(pemOrDer as Uint8Array), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec') throw new Error('not an EC public key');
  return key.export({ type: 'spki', format: 'der' });
}

export interface ManifestInput {
  kind: OtaKind;
  version: number;
  image: Uint8Array;
  target: { device: string } | { group: string };
  chunk?: number;
  chip?: string;
  /** Time to live, ms from now; 0 never expires. */
  ttlMs?: number;
  session?: number;
  now?: number;
}

/**
 * Builds the manifest of an image, refusing an image whose own version or format disagrees with the offer, and an
 * app image whose header or payload does not check (CRC, size, payload SHA-256): a device would download it only
 * to refuse it.
 */
export function buildManifest(inp: ManifestInput): Manifest {
  if (!Number.isInteger(inp.version) || inp.version < 1 || inp.version > 0x7fffffff) throw new Error(`version must be an integer from 1, got ${inp.version}`);
  if (inp.image.length === 0) throw new Error('image is empty');
  const requires: Manifest['requires'] = {};
  if (inp.kind === 'app') {
    const h = parseAppImageHeader(inp.image);
    if (h.appVersion !== inp.version) throw new Error(`app image says version ${h.appVersion}, not --version ${inp.version}`);
    if (128 + h.payloadSize !== inp.image.length) throw new Error(`app image is ${inp.image.length} bytes, its header says ${128 + h.payloadSize}`);
    validateAppImage(inp.image, { contractVersion: h.contractVersion, engineConfigHash: h.engineConfigHash });
    requires.contract = h.contractVersion;
    requires.engineConfig = h.engineConfigHash;
    requires.format = h.formatVersion;
  } else if (inp.kind === 'firmware') {
    const why = checkFirmwareImage(inp.image);
    if (why) throw new Error(`not a valid firmware image: ${why}`);
  } else {
    const b = Buffer.from(inp.image.buffer, inp.image.byteOffset, inp.image.byteLength);
    // model.bin (host/model/format.ts): "JWRF", u16 format, u16 flags, u32 model version, u32 total size.
    if (b.length >= 16 && b.toString('latin1', 0, 4) === 'JWRF') {
      if (b.readUInt32LE(8) !== inp.version) throw new Error(`model says version ${b.readUInt32LE(8)}, not --version ${inp.version}`);
      if (b.readUInt32LE(12) !== b.length) throw new Error(`model is ${b.length} bytes, its header says ${b.readUInt32LE(12)}`);
      requires.format = b.readUInt16LE(4);
    }
  }
  const chunk = inp.chunk ?? 4096;
  const now = inp.now ?? Date.now();
  return {
    kind: inp.kind,
    version: inp.version,
    size: inp.image.length,
    sha256: createHash('sha256').update(inp.image).digest('hex'),
    chunk,
    session: inp.session ?? randomInt(1, 0xffffffff),
    target: inp.target,
    chip: inp.chip,
    requires,
    expires: inp.ttlMs ? now + inp.ttlMs : 0,
    issued: now,
  };
}

/** The manifest's wire bytes: compact JSON with the protocol's field names, ASCII. */
export function manifestBytes(m: Manifest): Buffer {
  const j: Record<string, unknown> = { v: 1, kind: m.kind, version: m.version, size: m.size, sha256: m.sha256, chunk: m.chunk, session: m.session, target: m.target };
  if (m.chip !== undefined) j.chip = m.chip;
  const r = Object.fromEntries(Object.entries(m.requires).filter(([, v]) => v !== undefined));
  if (Object.keys(r).length) j.requires = r;
  if (m.expires) j.expires = m.expires;
  if (m.issued) j.issued = m.issued;
  return Buffer.from(JSON.stringify(j), 'ascii');
}

/** Offer = "JWOF", u16 manifest length, manifest, DER signature over exactly those manifest bytes. */
export function signOffer(m: Manifest | Buffer, key: KeyObject): Buffer {
  const mb = Buffer.isBuffer(m) ? m : manifestBytes(m);
  const sig = sign('sha256', mb, { key, dsaEncoding: 'der' });
  const head = Buffer.alloc(6);
  head.write('JWOF', 0, 'latin1');
  head.writeUInt16LE(mb.length, 4);
  return Buffer.concat([head, mb, sig]);
}
