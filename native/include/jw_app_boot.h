/* The software A/B rule for app images (docs/app-boot.md), as pure logic over injected state access. */
#ifndef JW_APP_BOOT_H
#define JW_APP_BOOT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* State keys (device/settings/keys.ts, store `state`); test/contract checks they match. */
#define JW_KEY_APP_SLOT "appSlot"
#define JW_KEY_APP_PREV "appPrev"
#define JW_KEY_APP_TRIAL "appTrial"
#define JW_KEY_APP_ROLLED "appRolled"

typedef struct {
  void *ctx;
  /* 0 when present; -1 when absent (never written). An absent appSlot means no app OTA ever set it. */
  int (*get_str)(void *ctx, const char *key, char *buf, size_t len);
  int (*get_i32)(void *ctx, const char *key, int32_t *out);
  int (*set_str)(void *ctx, const char *key, const char *value);
  int (*set_i32)(void *ctx, const char *key, int32_t value);
  /* Full image check of an app-image slot (jw_image_validate on its contents). */
  bool (*check_slot)(void *ctx, const char *slot, char *reason, size_t reason_len);
  /* No image was ever started in the slot: its header bytes are all 0xFF (an image is written header first).
   * Asked only of app_a, when check_slot refused it and appSlot is absent: an erased slot is not worth a note. */
  bool (*slot_erased)(void *ctx, const char *slot);
} jw_boot_io_t;

typedef struct {
  char slot[16];      /* "app_a", "app_b", or "" for the embedded app */
  bool probation;     /* this boot is the probation boot of a new image */
  char rolled[128];   /* what was written to appRolled on this boot, "" if nothing */
} jw_boot_choice_t;

/* Writes state only for the probation and roll-back rules, and appRolled for an image it refuses. While appSlot is
 * absent, a valid app_a is chosen with no state written (the board of `jerrywatt flash --app-only`). */
void jw_app_boot_decide(const jw_boot_io_t *io, jw_boot_choice_t *out);
bool jw_app_slot_name_ok(const char *slot);
#endif
