/** The digest the device's model reader takes (ModelDigest), over Node's crypto: tests pass it to openModel(). */
import { createHash } from 'node:crypto';

/** SHA-256 of `bytes` with [zeroFrom, zeroTo) hashed as zeros. */
export function sha256(bytes: Uint8Array, zeroFrom = 0, zeroTo = 0): Uint8Array {
  const h = createHash('sha256');
  h.update(bytes.subarray(0, zeroFrom));
  if (zeroTo > zeroFrom) h.update(new Uint8Array(Math.min(zeroTo, bytes.length) - Math.min(zeroFrom, bytes.length)));
  h.update(bytes.subarray(Math.max(zeroFrom, zeroTo)));
  return new Uint8Array(h.digest());
}
