/* Data partitions by label: flash on the device, files on the host. */
#ifndef JW_PART_H
#define JW_PART_H
#include <stddef.h>
#include <stdint.h>
typedef struct {
  char label[17];
  uint32_t address;
  uint32_t size;
  uint32_t erase_size;
} jw_part_info_t;

int jw_part_info(const char *label, jw_part_info_t *out);
int jw_part_read(const char *label, uint32_t offset, void *dst, uint32_t len);
/* offset and len multiples of erase_size; sets bytes to 0xFF. */
int jw_part_erase(const char *label, uint32_t offset, uint32_t len);
/* NOR rules: a write can only clear bits. */
int jw_part_write(const char *label, uint32_t offset, const void *src, uint32_t len);
/* Partitions that can be mapped at once: each is mapped whole on first use and stays mapped (the MMU has few
 * pages to spare on the device). */
#define JW_PART_MAPS 6
/* Read-only memory-mapped view of a DATA partition; stays mapped until reboot (the JS side may hold it). NULL on
 * failure, for an app-type partition (firmware slots: use jw_part_read) and when JW_PART_MAPS are in use. */
const uint8_t *jw_part_map(const char *label, uint32_t offset, uint32_t len);
#endif
