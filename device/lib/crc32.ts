/** CRC-32 (IEEE 802.3, reflected, as zlib and esp_rom_crc32_le). Device-safe; the host imports it too. */
// Half-byte table: 16 entries (64 bytes) instead of 256 (1 KB) kept alive in the device's 64 KB JS heap
// (docs/engine.md); two lookups a byte.
const TABLE = (() => {
  const t = new Uint32Array(16);
  for (let n = 0; n < 16; n++) {
    let c = n;
    for (let k = 0; k < 4; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array, seed = 0): number {
  let c = (seed ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) {
    c ^= data[i]!;
    c = TABLE[c & 15]! ^ (c >>> 4);
    c = TABLE[c & 15]! ^ (c >>> 4);
  }
  return (c ^ 0xffffffff) >>> 0;
}
