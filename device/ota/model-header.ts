/**
 * Device-side check of a model image (pure: bytes in, reason out). A model is opaque to OTA: size, hash and signature
 * are what make it trusted; when it is a model.bin (host/model/format.ts: "JWRF", u16 format, u16 flags, u32 model
 * version, u32 total size), its own version and size must also agree with the offer.
 */
export const MODEL_FORMAT = 1;
export const MODEL_HEADER_BYTES = 16;

/** `h`: the first MODEL_HEADER_BYTES of the image (fewer when the image is smaller). */
export function checkModelHeader(h: Uint8Array, version: number, size: number): string | null {
  if (h.length !== MODEL_HEADER_BYTES || h[0] !== 0x4a || h[1] !== 0x57 || h[2] !== 0x52 || h[3] !== 0x46) return null;
  const dv = new DataView(h.buffer, h.byteOffset, MODEL_HEADER_BYTES);
  if (dv.getUint32(8, true) !== version) return `model says version ${dv.getUint32(8, true)}, not the offered ${version}`;
  if (dv.getUint32(12, true) !== size) return 'model size does not match its header';
  return null;
}
