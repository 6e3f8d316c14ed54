/* Firmware OTA slots on the host: images are files like any partition; "which slot boots" is a file. */
#include <stdio.h>
#include <string.h>
#include "host_paths.h"
#include "jw_log.h"
#include "jw_ota.h"

static char running_label[8] = "ota_0";
static const char *running_state = "valid";

int jw_ota_next_slot(jw_part_info_t *out) {
  return jw_part_info(strcmp(running_label, "ota_0") == 0 ? "ota_1" : "ota_0", out);
}

int jw_ota_validate(const char *label, uint32_t size, char *reason, size_t rl) {
  jw_part_info_t info;
  uint8_t magic = 0;
  if (strcmp(label, "ota_0") != 0 && strcmp(label, "ota_1") != 0) {
    snprintf(reason, rl, "%s is not a firmware slot", label);
    return -1;
  }
  if (jw_part_info(label, &info) != 0 || size == 0 || size > info.size) {
    snprintf(reason, rl, "size %u does not fit %s", (unsigned)size, label);
    return -1;
  }
  if (jw_part_read(label, 0, &magic, 1) != 0 || magic != 0xE9) { /* ESP_IMAGE_HEADER_MAGIC */
    snprintf(reason, rl, "not an ESP app image (magic 0x%02x)", magic);
    return -1;
  }
  return 0;
}

int jw_ota_set_boot(const char *label, char *reason, size_t rl) {
  jw_part_info_t info;
  if (jw_part_info(label, &info) != 0) {
    snprintf(reason, rl, "no partition %s", label);
    return -1;
  }
  if (jw_ota_validate(label, info.size, reason, rl) != 0) return -1;
  char dir[512], p[600];
  if (jw_host_path(dir, sizeof dir, "flash") != 0) return -1;
  snprintf(p, sizeof p, "%s/otadata.txt", dir);
  FILE *f = fopen(p, "w");
  if (f == NULL) return -1;
  fprintf(f, "%s\n", label);
  fclose(f);
  jw_log(JW_LOG_INFO, "ota", "next boot: %s", label);
  return 0;
}

int jw_ota_running(char *label, size_t len, const char **state) {
  snprintf(label, len, "%s", running_label);
  *state = running_state;
  return 0;
}

void jw_ota_mark_valid(void) { running_state = "valid"; }

void jw_ota_rollback(void) {
  running_state = "invalid";
  jw_log(JW_LOG_WARN, "ota", "rollback requested (host: no restart)");
}
