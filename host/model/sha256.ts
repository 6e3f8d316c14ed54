import { createHash } from 'node:crypto';
import { HEADER_BYTES } from './format.ts';

/** SHA-256 of a model.bin with its digest field (bytes 32..63) taken as zero. */
export function modelDigest(bytes: Uint8Array): Uint8Array {
  const h = createHash('sha256');
  h.update(bytes.subarray(0, 32));
  h.update(new Uint8Array(32));
  h.update(bytes.subarray(HEADER_BYTES));
  return new Uint8Array(h.digest());
}
