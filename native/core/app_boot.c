#include <stdio.h>
#include <string.h>
#include "jw_app_boot.h"

bool jw_app_slot_name_ok(const char *s) { return strcmp(s, "app_a") == 0 || strcmp(s, "app_b") == 0; }

static void get_s(const jw_boot_io_t *io, const char *key, char *buf, size_t len) {
  if (io->get_str(io->ctx, key, buf, len) != 0) buf[0] = '\0';
}

static bool try_slot(const jw_boot_io_t *io, const char *slot, char *reason, size_t rl) {
  if (slot[0] == '\0') {
    snprintf(reason, rl, "no slot");
    return false;
  }
  if (!jw_app_slot_name_ok(slot)) {
    snprintf(reason, rl, "unknown slot");
    return false;
  }
  return io->check_slot(io->ctx, slot, reason, rl);
}

/* appSlot never set by an app OTA: app_a when it holds a valid image, else the embedded app. No state is written,
 * so the first app OTA still installs into app_b (the slot not running) with appPrev = app_a. Only an absent key
 * counts: a roll-back to the embedded app sets appSlot = "", and app_a then holds the image it refused. */
static void first_app(const jw_boot_io_t *io, jw_boot_choice_t *out) {
  char reason[96];
  if (io->check_slot(io->ctx, "app_a", reason, sizeof reason)) {
    snprintf(out->slot, sizeof out->slot, "app_a");
    return;
  }
  if (io->slot_erased(io->ctx, "app_a")) return; /* the usual fresh board: nothing to say */
  snprintf(out->rolled, sizeof out->rolled, "app_a: %s", reason);
  io->set_str(io->ctx, JW_KEY_APP_ROLLED, out->rolled);
}

void jw_app_boot_decide(const jw_boot_io_t *io, jw_boot_choice_t *out) {
  char slot[16], prev[16], reason[96];
  int32_t trial = 0;
  memset(out, 0, sizeof(*out));
  bool slot_set = io->get_str(io->ctx, JW_KEY_APP_SLOT, slot, sizeof slot) == 0;
  if (!slot_set) slot[0] = '\0';
  get_s(io, JW_KEY_APP_PREV, prev, sizeof prev);
  if (io->get_i32(io->ctx, JW_KEY_APP_TRIAL, &trial) != 0) trial = 0;

  if (trial == 2) { /* 1. booted on probation and never confirmed */
    snprintf(out->rolled, sizeof out->rolled, "probation failed: %s", slot);
    io->set_str(io->ctx, JW_KEY_APP_ROLLED, out->rolled);
    snprintf(slot, sizeof slot, "%s", prev);
    io->set_str(io->ctx, JW_KEY_APP_SLOT, slot);
    slot_set = true;
    io->set_i32(io->ctx, JW_KEY_APP_TRIAL, 0);
    trial = 0;
  } else if (trial == 1) { /* 2. this boot is the probation boot */
    io->set_i32(io->ctx, JW_KEY_APP_TRIAL, 2);
    out->probation = true;
  }

  if (!slot_set) { /* 3. never set: app_a (flash --app-only), else embedded */
    first_app(io, out);
    return;
  }
  if (slot[0] == '\0') return; /* 3. empty: the embedded app */
  if (try_slot(io, slot, reason, sizeof reason)) {
    snprintf(out->slot, sizeof out->slot, "%s", slot);
    return;
  }
  snprintf(out->rolled, sizeof out->rolled, "%s: %s", slot, reason);
  io->set_str(io->ctx, JW_KEY_APP_ROLLED, out->rolled);
  io->set_i32(io->ctx, JW_KEY_APP_TRIAL, 0);
  out->probation = false;
  if (strcmp(prev, slot) != 0 && try_slot(io, prev, reason, sizeof reason)) {
    snprintf(out->slot, sizeof out->slot, "%s", prev);
  }
  /* else: out->slot stays "", the embedded app */
}
