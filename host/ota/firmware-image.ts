/**
 * The ESP-IDF app image format, as far as the bootloader and `esp_ota_set_boot_partition` check it
 * (components/bootloader_support/src/esp_image_format.c, esptool's `save`):
 *
 *   24-byte header: magic 0xE9, segment count, spi mode, spi speed/size, entry address (u32), wp pin,
 *                   spi pin drive[3], chip id (u16), min chip rev, min/max rev full (u16 x2), reserved[4],
 *                   hash_appended (u8)
 *   per segment:    load address (u32), data length (u32, a multiple of 4), data
 *   zero padding so that the checksum byte sits at offset 15 mod 16
 *   checksum byte:  0xEF xor every byte of segment data
 *   when hash_appended: SHA-256 of everything before it (header .. checksum byte)
 *
 * The simulated board's otaValidate/otaSetBoot call `checkFirmwareImage`; tests and the OTA benchmark make images
 * with `makeTestFirmwareImage`. All integers little-endian.
 */
import { createHash } from 'node:crypto';

export const ESP_IMAGE_MAGIC = 0xe9;
export const ESP_IMAGE_HEADER_BYTES = 24;
export const ESP_IMAGE_MAX_SEGMENTS = 16;
export const ESP_CHECKSUM_SEED = 0xef;
/** esp_chip_id_t of the ESP32. */
export const ESP_CHIP_ID_ESP32 = 0;

/** Deterministic bytes from a seed (mulberry32). */
function fill(out: Uint8Array, seed: number): void {
  let a = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
}

/**
 * A valid ESP32 app image of exactly `size` bytes (a multiple of 16, at least 96): two segments of seeded data,
 * checksum, appended SHA-256. Different seeds give different images of the same size.
 */
export function makeTestFirmwareImage(size: number, seed: number): Buffer {
  if (!Number.isInteger(size) || size < 96 || size % 16 !== 0) throw new Error(`firmware test image size must be a multiple of 16 and >= 96, got ${size}`);
  const segHeaders = 2 * 8;
  // header + segment headers + data + pad + checksum + hash == size, with the checksum at 15 mod 16.
  const dataAndPad = size - ESP_IMAGE_HEADER_BYTES - segHeaders - 1 - 32;
  const pad = dataAndPad % 4;
  const data = dataAndPad - pad;
  const d1 = Math.floor(data / 8) * 4;
  const d2 = data - d1;
  const img = Buffer.alloc(size);
  img[0] = ESP_IMAGE_MAGIC;
  img[1] = 2; // segments
  img[2] = 2; // SPI mode DIO
  img[3] = 0x20; // 4 MB, 40 MHz
  img.writeUInt32LE(0x40080000 + ((seed & 0xffff) << 2), 4); // entry
  img[8] = 0xee; // wp pin: not used
  img.writeUInt16LE(ESP_CHIP_ID_ESP32, 12);
  img[23] = 1; // hash appended
  let off = ESP_IMAGE_HEADER_BYTES;
  let sum = ESP_CHECKSUM_SEED;
  const segs: Array<[number, number]> = [
    [0x3f400020, d1],
    [0x400d0020, d2],
  ];
  segs.forEach(([addr, len], i) => {
    img.writeUInt32LE(addr, off);
    img.writeUInt32LE(len, off + 4);
    off += 8;
    const body = img.subarray(off, off + len);
    fill(body, (seed * 31 + i + 1) >>> 0);
    for (let j = 0; j < len; j++) sum ^= body[j]!;
    off += len;
  });
  off += pad;
  if (off % 16 !== 15) throw new Error('internal: checksum misaligned');
  img[off] = sum;
  off += 1;
  createHash('sha256').update(img.subarray(0, off)).digest().copy(img, off);
  return img;
}

/** Length of the image that starts `bytes` (trailing bytes, e.g. the erased rest of a slot, are ignored), or the reason it is not one. */
export function firmwareImageLength(bytes: Uint8Array): number | string {
  if (bytes.length < ESP_IMAGE_HEADER_BYTES) return `image truncated: ${bytes.length} bytes, header needs ${ESP_IMAGE_HEADER_BYTES}`;
  if (bytes[0] !== ESP_IMAGE_MAGIC) return `bad image magic 0x${bytes[0]!.toString(16)} (want 0xe9)`;
  const count = bytes[1]!;
  if (count === 0 || count > ESP_IMAGE_MAX_SEGMENTS) return `bad segment count ${count}`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = ESP_IMAGE_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (off + 8 > bytes.length) return `image truncated in segment ${i} header`;
    const len = view.getUint32(off + 4, true);
    if (len % 4 !== 0) return `segment ${i} length ${len} is not a multiple of 4`;
    off += 8;
    if (off + len > bytes.length) return `image truncated in segment ${i} data (${len} bytes at ${off})`;
    off += len;
  }
  off += 15 - (off % 16);
  off += 1;
  if (bytes[23] === 1) off += 32;
  if (off > bytes.length) return `image truncated: needs ${off} bytes, has ${bytes.length}`;
  return off;
}

/** null when `bytes` begins with a valid ESP32 app image (magic, segments, checksum, appended hash), else the reason. */
export function checkFirmwareImage(bytes: Uint8Array): string | null {
  const len = firmwareImageLength(bytes);
  if (typeof len === 'string') return len;
  if (bytes[23] !== 1 && bytes[23] !== 0) return `bad hash_appended flag ${bytes[23]}`;
  const chip = bytes[12]! | (bytes[13]! << 8);
  if (chip !== ESP_CHIP_ID_ESP32) return `image is for chip id ${chip}, not the ESP32 (0)`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = ESP_IMAGE_HEADER_BYTES;
  let sum = ESP_CHECKSUM_SEED;
  for (let i = 0; i < bytes[1]!; i++) {
    const segLen = view.getUint32(off + 4, true);
    off += 8;
    for (let j = off; j < off + segLen; j++) sum ^= bytes[j]!;
    off += segLen;
  }
  off += 15 - (off % 16);
  if (bytes[off] !== sum) return `image checksum mismatch (stored 0x${bytes[off]!.toString(16)}, computed 0x${sum.toString(16)})`;
  off += 1;
  if (bytes[23] === 1) {
    const want = createHash('sha256').update(bytes.subarray(0, off)).digest();
    if (!want.equals(Buffer.from(bytes.buffer, bytes.byteOffset + off, 32))) return 'image SHA-256 (appended) mismatch';
  }
  return null;
}
