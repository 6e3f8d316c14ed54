#ifndef JW_CRC32_H
#define JW_CRC32_H
#include <stddef.h>
#include <stdint.h>
/* CRC-32 (IEEE 802.3, reflected), as zlib, esp_rom_crc32_le and device/lib/crc32.ts. */
uint32_t jw_crc32(uint32_t seed, const uint8_t *data, size_t len);
#endif
