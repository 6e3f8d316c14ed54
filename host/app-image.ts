/**
 * The app image (lives under host/: the simulated board loads images at run time; build/app-image.ts re-exports it
 * for the build): a 128-byte header and the payload (bundle source or JerryScript snapshot).
 * The firmware (native/app_image.c) and this file agree byte for byte; docs/app-image.md is the spec and
 * test/fixtures vectors check both sides.
 *
 *  off size field
 *    0    4 magic "JWAI"
 *    4    2 format version (1)
 *    6    2 header length (128)
 *    8    4 native contract version
 *   12    4 app version (monotonic, the OTA --version)
 *   16    1 payload kind: 0 source, 1 snapshot
 *   17    3 reserved, zero
 *   20    4 payload size
 *   24   24 engine version, ASCII, NUL-padded ("jerryscript-3.0.0")
 *   48   16 engine configuration hash: first 16 bytes of SHA-256(build/engine-config.json)
 *   64   32 SHA-256 of the payload
 *   96    4 CRC-32 (IEEE) of bytes 0..95
 *  100   28 reserved, zero
 * All integers little-endian.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crc32 } from '../device/lib/crc32.ts';

export const APP_IMAGE_MAGIC = 'JWAI';
export const APP_IMAGE_FORMAT = 1;
export const APP_IMAGE_HEADER_BYTES = 128;
export const ENGINE_VERSION = 'jerryscript-3.0.0';
export type PayloadKind = 'source' | 'snapshot';

export interface AppImageHeader {
  formatVersion: number;
  contractVersion: number;
  appVersion: number;
  payloadKind: PayloadKind;
  payloadSize: number;
  engineVersion: string;
  /** 32 hex characters. */
  engineConfigHash: string;
  /** 64 hex characters. */
  payloadSha256: string;
}

// Beside this module in the checkout and in the compiled package (dist/js/build/engine-config.json).
const ENGINE_CONFIG_PATH = fileURLToPath(new URL('../build/engine-config.json', import.meta.url));

/** First 16 bytes of SHA-256 of the checked-in engine configuration, as hex. */
export function engineConfigHash(): string {
  return createHash('sha256').update(readFileSync(ENGINE_CONFIG_PATH)).digest('hex').slice(0, 32);
}

export function packAppImage(
  payload: Uint8Array,
  meta: { contractVersion: number; appVersion: number; payloadKind: PayloadKind; engineVersion?: string; engineConfigHash?: string },
): Buffer {
  const engineVersion = meta.engineVersion ?? ENGINE_VERSION;
  if (engineVersion.length > 23) throw new Error('engine version longer than 23 characters');
  if (!Number.isInteger(meta.appVersion) || meta.appVersion < 0 || meta.appVersion > 0xffffffff) throw new Error('app version must be a 32-bit unsigned integer');
  const h = Buffer.alloc(APP_IMAGE_HEADER_BYTES);
  h.write(APP_IMAGE_MAGIC, 0, 'ascii');
  h.writeUInt16LE(APP_IMAGE_FORMAT, 4);
  h.writeUInt16LE(APP_IMAGE_HEADER_BYTES, 6);
  h.writeUInt32LE(meta.contractVersion, 8);
  h.writeUInt32LE(meta.appVersion, 12);
  h.writeUInt8(meta.payloadKind === 'snapshot' ? 1 : 0, 16);
  h.writeUInt32LE(payload.length, 20);
  h.write(engineVersion, 24, 'ascii');
  Buffer.from(meta.engineConfigHash ?? engineConfigHash(), 'hex').copy(h, 48);
  createHash('sha256').update(payload).digest().copy(h, 64);
  h.writeUInt32LE(crc32(h.subarray(0, 96)), 96);
  return Buffer.concat([h, payload]);
}

/** Parses and checks the header alone. Throws with the reason when it is not a well-formed header. */
export function parseAppImageHeader(buf: Uint8Array): AppImageHeader {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < APP_IMAGE_HEADER_BYTES) throw new Error(`truncated header: ${b.length} of ${APP_IMAGE_HEADER_BYTES} bytes`);
  if (b.toString('ascii', 0, 4) !== APP_IMAGE_MAGIC) throw new Error('bad magic: not a jerrywatt app image');
  const formatVersion = b.readUInt16LE(4);
  if (formatVersion !== APP_IMAGE_FORMAT) throw new Error(`unsupported format version ${formatVersion} (this build reads ${APP_IMAGE_FORMAT})`);
  if (b.readUInt16LE(6) !== APP_IMAGE_HEADER_BYTES) throw new Error(`bad header length ${b.readUInt16LE(6)}`);
  if (crc32(b.subarray(0, 96)) !== b.readUInt32LE(96)) throw new Error('header CRC mismatch');
  const kind = b.readUInt8(16);
  if (kind > 1) throw new Error(`unknown payload kind ${kind}`);
  return {
    formatVersion,
    contractVersion: b.readUInt32LE(8),
    appVersion: b.readUInt32LE(12),
    payloadKind: kind === 1 ? 'snapshot' : 'source',
    payloadSize: b.readUInt32LE(20),
    engineVersion: b.toString('ascii', 24, 48).replace(/\0+$/, ''),
    engineConfigHash: b.subarray(48, 64).toString('hex'),
    payloadSha256: b.subarray(64, 96).toString('hex'),
  };
}

export interface ImageExpectations {
  contractVersion: number;
  engineConfigHash: string;
  /** Bytes available for the whole image (slot size). */
  maxBytes?: number;
}

/** Full check of an image against a runtime: header, compatibility, size, payload hash. Returns the header and payload. */
export function validateAppImage(buf: Uint8Array, want: ImageExpectations): { header: AppImageHeader; payload: Uint8Array } {
  const header = parseAppImageHeader(buf);
  if (header.contractVersion !== want.contractVersion) throw new Error(`built for native contract ${header.contractVersion}, this runtime has ${want.contractVersion}`);
  if (header.engineConfigHash !== want.engineConfigHash) throw new Error(`built for engine configuration ${header.engineConfigHash}, this runtime has ${want.engineConfigHash}`);
  const total = APP_IMAGE_HEADER_BYTES + header.payloadSize;
  if (want.maxBytes !== undefined && total > want.maxBytes) throw new Error(`image of ${total} bytes is larger than the ${want.maxBytes}-byte slot`);
  if (buf.length < total) throw new Error(`truncated payload: ${buf.length - APP_IMAGE_HEADER_BYTES} of ${header.payloadSize} bytes`);
  const payload = buf.subarray(APP_IMAGE_HEADER_BYTES, total);
  const sha = createHash('sha256').update(payload).digest('hex');
  if (sha !== header.payloadSha256) throw new Error('payload SHA-256 mismatch');
  return { header, payload };
}

