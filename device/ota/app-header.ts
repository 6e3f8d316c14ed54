/**
 * Device-side check of a jerrywatt app image header (build/app-image.ts is the spec; this is the subset the OTA
 * receiver needs before it arms the loader). Pure: bytes in, reason out.
 */
import { crc32 } from '../lib/crc32.ts';
import { hex } from './manifest.ts';

export const APP_HEADER_BYTES = 128;
export const APP_FORMAT = 1;

export interface AppHeaderFacts {
  contract: number;
  engineConfig: string;
  version: number;
  imageSize: number;
}

/** null when the header is sound and fits the runtime, else the reason. Returns the payload SHA-256 (hex) in `out`. */
export function checkAppHeader(h: Uint8Array, want: AppHeaderFacts, out: { payloadSha256: string }): string | null {
  if (h.length < APP_HEADER_BYTES) return 'app image truncated';
  if (h[0] !== 0x4a || h[1] !== 0x57 || h[2] !== 0x41 || h[3] !== 0x49) return 'not an app image (magic)';
  const dv = new DataView(h.buffer, h.byteOffset, APP_HEADER_BYTES);
  if (dv.getUint16(4, true) !== APP_FORMAT) return `app image format ${dv.getUint16(4, true)} is not supported`;
  if (dv.getUint16(6, true) !== APP_HEADER_BYTES) return 'bad app header length';
  if (crc32(h.subarray(0, 96)) !== dv.getUint32(96, true)) return 'app header CRC mismatch';
  const contract = dv.getUint32(8, true);
  if (contract !== want.contract) return `app built for native contract ${contract}, this runtime has ${want.contract}`;
  const cfg = hex(h.subarray(48, 64));
  const n = Math.min(cfg.length, want.engineConfig.length);
  if (n < 8 || cfg.slice(0, n) !== want.engineConfig.slice(0, n).toLowerCase()) return `app built for engine configuration ${cfg}, this runtime has ${want.engineConfig}`;
  const version = dv.getUint32(12, true);
  if (version !== want.version) return `app image version ${version} is not the offered ${want.version}`;
  if (APP_HEADER_BYTES + dv.getUint32(20, true) !== want.imageSize) return 'app image size does not match its header';
  out.payloadSha256 = hex(h.subarray(64, 96));
  return null;
}
