#include <stdio.h>
#include <string.h>
#include "jw_app_boot.h"
#include "jw_app_loader.h"
#include "jw_kv.h"
#include "jw_log.h"
#include "jw_part.h"

typedef struct {
  const jw_image_expect_t *want;
} loader_ctx_t;

static int get_str(void *c, const char *k, char *b, size_t n) {
  (void)c;
  size_t len = n;
  return jw_kv_get_str(JW_KV_STATE, k, b, &len);
}
static int get_i32(void *c, const char *k, int32_t *o) { (void)c; return jw_kv_get_i32(JW_KV_STATE, k, o); }
static int set_str(void *c, const char *k, const char *v) { (void)c; return jw_kv_set_str(JW_KV_STATE, k, v); }
static int set_i32(void *c, const char *k, int32_t v) { (void)c; return jw_kv_set_i32(JW_KV_STATE, k, v); }

/* Maps the slot and validates what is in it (the size comes from the header, bounded by the slot). */
static bool map_slot(const jw_image_expect_t *want0, const char *slot, jw_loaded_app_t *out, char *reason, size_t rl) {
  jw_part_info_t info;
  if (jw_part_info(slot, &info) != 0) {
    snprintf(reason, rl, "no partition %s", slot);
    return false;
  }
  jw_image_expect_t want = *want0;
  want.max_bytes = info.size;
  const uint8_t *p = jw_part_map(slot, 0, info.size);
  if (p == NULL) {
    snprintf(reason, rl, "cannot map %s", slot);
    return false;
  }
  if (!jw_image_validate(p, info.size, &want, &out->header, &out->payload, reason, rl)) return false;
  out->image = p;
  out->len = JW_IMAGE_HEADER_BYTES + out->header.payload_size;
  return true;
}

static bool check_slot(void *c, const char *slot, char *reason, size_t rl) {
  jw_loaded_app_t tmp;
  return map_slot(((loader_ctx_t *)c)->want, slot, &tmp, reason, rl);
}

/* Reads the header bytes only: enough to tell an erased slot, and cheap at every boot of a fresh board. A board
 * without the partition has nothing there either. */
static bool slot_erased(void *c, const char *slot) {
  (void)c;
  jw_part_info_t info;
  uint8_t head[JW_IMAGE_HEADER_BYTES];
  if (jw_part_info(slot, &info) != 0) return true;
  if (jw_part_read(slot, 0, head, sizeof head) != 0) return false;
  for (size_t i = 0; i < sizeof head; i++)
    if (head[i] != 0xFF) return false;
  return true;
}

bool jw_app_load(const jw_image_expect_t *want, const uint8_t *embedded, size_t embedded_len, jw_loaded_app_t *out) {
  loader_ctx_t ctx = {want};
  jw_boot_io_t io = {&ctx, get_str, get_i32, set_str, set_i32, check_slot, slot_erased};
  jw_boot_choice_t choice;
  char reason[128];
  memset(out, 0, sizeof *out);
  jw_app_boot_decide(&io, &choice);
  if (choice.rolled[0]) jw_log(JW_LOG_WARN, "boot", "app image refused: %s", choice.rolled);
  if (choice.slot[0] && map_slot(want, choice.slot, out, reason, sizeof reason)) {
    snprintf(out->slot, sizeof out->slot, "%s", choice.slot);
    out->probation = choice.probation;
    jw_log(JW_LOG_INFO, "boot", "app %u from %s%s", (unsigned)out->header.app_version, out->slot,
           out->probation ? " (probation)" : "");
    return true;
  }
  if (!jw_image_validate(embedded, embedded_len, want, &out->header, &out->payload, reason, sizeof reason)) {
    jw_log(JW_LOG_ERROR, "boot", "embedded app image refused: %s", reason);
    return false;
  }
  out->image = embedded;
  out->len = embedded_len;
  snprintf(out->slot, sizeof out->slot, "embedded");
  jw_log(JW_LOG_INFO, "boot", "app %u embedded", (unsigned)out->header.app_version);
  return true;
}
