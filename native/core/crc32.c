#include "jw_crc32.h"

/* Bitwise: 128 bytes of header per boot do not justify a 1 KB table in RAM. */
uint32_t jw_crc32(uint32_t seed, const uint8_t *data, size_t len) {
  uint32_t c = ~seed;
  for (size_t i = 0; i < len; i++) {
    c ^= data[i];
    for (int k = 0; k < 8; k++) c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
  }
  return ~c;
}
