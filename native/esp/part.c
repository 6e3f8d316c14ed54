/* Data partitions by label through esp_partition. Maps are made once per partition and kept: the JS side may hold
 * an ArrayBuffer over them, and the MMU has few pages to spare. */
#include <string.h>
#include "esp_partition.h"
#include "jw_part.h"

static struct {
  const esp_partition_t *p;
  const uint8_t *base;
  esp_partition_mmap_handle_t h;
} maps[JW_PART_MAPS];

static const esp_partition_t *find(const char *label) {
  return esp_partition_find_first(ESP_PARTITION_TYPE_ANY, ESP_PARTITION_SUBTYPE_ANY, label);
}

int jw_part_info(const char *label, jw_part_info_t *out) {
  const esp_partition_t *p = find(label);
  if (p == NULL) return -1;
  strncpy(out->label, p->label, sizeof out->label - 1);
  out->label[sizeof out->label - 1] = '\0';
  out->address = p->address;
  out->size = p->size;
  out->erase_size = p->erase_size;
  return 0;
}

int jw_part_read(const char *label, uint32_t off, void *dst, uint32_t len) {
  const esp_partition_t *p = find(label);
  return p && esp_partition_read(p, off, dst, len) == ESP_OK ? 0 : -1;
}

int jw_part_erase(const char *label, uint32_t off, uint32_t len) {
  const esp_partition_t *p = find(label);
  if (p == NULL || off % p->erase_size || len % p->erase_size) return -1;
  return esp_partition_erase_range(p, off, len) == ESP_OK ? 0 : -1;
}

int jw_part_write(const char *label, uint32_t off, const void *src, uint32_t len) {
  const esp_partition_t *p = find(label);
  return p && esp_partition_write(p, off, src, len) == ESP_OK ? 0 : -1;
}

const uint8_t *jw_part_map(const char *label, uint32_t off, uint32_t len) {
  const esp_partition_t *p = find(label);
  if (p == NULL || p->type == ESP_PARTITION_TYPE_APP || off > p->size || len > p->size - off || len == 0) return NULL;
  for (int i = 0; i < JW_PART_MAPS; i++)
    if (maps[i].p == p) return maps[i].base + off;
  for (int i = 0; i < JW_PART_MAPS; i++) {
    if (maps[i].p != NULL) continue;
    const void *base;
    if (esp_partition_mmap(p, 0, p->size, ESP_PARTITION_MMAP_DATA, &base, &maps[i].h) != ESP_OK) return NULL;
    maps[i].p = p;
    maps[i].base = base;
    return maps[i].base + off;
  }
  return NULL;
}
