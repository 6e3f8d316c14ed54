/* Firmware OTA slots: the app writes the image through jw_part_* by label; this validates and switches. */
#include <stdio.h>
#include <string.h>
#include "esp_image_format.h"
#include "esp_ota_ops.h"
#include "esp_partition.h"
#include "jw_ota.h"

static const esp_partition_t *app_slot(const char *label) {
  const esp_partition_t *p = esp_partition_find_first(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_ANY, label);
  return p && p->subtype >= ESP_PARTITION_SUBTYPE_APP_OTA_MIN && p->subtype < ESP_PARTITION_SUBTYPE_APP_OTA_MAX ? p : NULL;
}

int jw_ota_next_slot(jw_part_info_t *out) {
  const esp_partition_t *p = esp_ota_get_next_update_partition(NULL);
  return p ? jw_part_info(p->label, out) : -1;
}

int jw_ota_validate(const char *label, uint32_t size, char *reason, size_t rl) {
  const esp_partition_t *p = app_slot(label);
  if (p == NULL) {
    snprintf(reason, rl, "%s is not a firmware slot", label);
    return -1;
  }
  if (p == esp_ota_get_running_partition()) {
    snprintf(reason, rl, "%s is the running firmware", label);
    return -1;
  }
  if (size == 0 || size > p->size) {
    snprintf(reason, rl, "size %u does not fit %s", (unsigned)size, label);
    return -1;
  }
  esp_partition_pos_t pos = {.offset = p->address, .size = p->size};
  esp_image_metadata_t meta;
  esp_err_t err = esp_image_verify(ESP_IMAGE_VERIFY_SILENT, &pos, &meta); /* header, segments, checksum, SHA-256 */
  if (err != ESP_OK) {
    snprintf(reason, rl, "invalid firmware image: %s", esp_err_to_name(err));
    return -1;
  }
  if (meta.image_len > size) {
    snprintf(reason, rl, "image is %u bytes, %u were written", (unsigned)meta.image_len, (unsigned)size);
    return -1;
  }
  return 0;
}

int jw_ota_set_boot(const char *label, char *reason, size_t rl) {
  const esp_partition_t *p = app_slot(label);
  if (p == NULL) {
    snprintf(reason, rl, "%s is not a firmware slot", label);
    return -1;
  }
  esp_err_t err = esp_ota_set_boot_partition(p); /* validates the image again */
  if (err != ESP_OK) {
    snprintf(reason, rl, "cannot boot %s: %s", label, esp_err_to_name(err));
    return -1;
  }
  return 0;
}

int jw_ota_running(char *label, size_t len, const char **state) {
  const esp_partition_t *p = esp_ota_get_running_partition();
  esp_ota_img_states_t s;
  snprintf(label, len, "%s", p ? p->label : "?");
  *state = "undefined";
  if (p && esp_ota_get_state_partition(p, &s) == ESP_OK) {
    switch (s) {
      case ESP_OTA_IMG_NEW: *state = "new"; break;
      case ESP_OTA_IMG_PENDING_VERIFY: *state = "pending-verify"; break;
      case ESP_OTA_IMG_VALID: *state = "valid"; break;
      case ESP_OTA_IMG_INVALID: *state = "invalid"; break;
      case ESP_OTA_IMG_ABORTED: *state = "aborted"; break;
      default: break;
    }
  }
  return 0;
}

void jw_ota_mark_valid(void) { esp_ota_mark_app_valid_cancel_rollback(); }

void jw_ota_rollback(void) { esp_ota_mark_app_invalid_rollback_and_reboot(); }
