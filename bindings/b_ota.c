#include <string.h>
#include "jw_js.h"
#include "jw_ota.h"

jerry_value_t jw_part_info_object(const jw_part_info_t *i);

static bool slot_label(const char *label) { return strcmp(label, "ota_0") == 0 || strcmp(label, "ota_1") == 0; }

JW_HANDLER(jw_b_ota_next_slot) {
  (void)call, (void)args, (void)argc;
  jw_part_info_t i;
  if (jw_ota_next_slot(&i) != 0) return jw_range_error("otaNextSlot", "no OTA slot in the partition table");
  return jw_part_info_object(&i);
}

JW_HANDLER(jw_b_ota_validate) {
  (void)call;
  char label[17], reason[128];
  if (argc < 2 || !jw_str(args[0], label, sizeof label) || !jw_is_number(args, argc, 1)) return jw_type_error("otaValidate", "(label, size)");
  if (!slot_label(label)) return jw_type_error("otaValidate", "not a firmware slot (ota_0, ota_1)");
  double size = jw_num(args, argc, 1);
  if (!(size >= 0 && size <= 0xffffffffu)) return jerry_string_sz("size out of range");
  return jw_ota_validate(label, (uint32_t)size, reason, sizeof reason) == 0 ? jerry_null() : jw_utf8(reason);
}

JW_HANDLER(jw_b_ota_set_boot) {
  (void)call;
  char label[17], reason[128];
  if (argc < 1 || !jw_str(args[0], label, sizeof label)) return jw_type_error("otaSetBoot", "label must be a string");
  if (!slot_label(label)) return jw_type_error("otaSetBoot", "not a firmware slot (ota_0, ota_1)");
  return jw_ota_set_boot(label, reason, sizeof reason) == 0 ? jerry_null() : jw_utf8(reason);
}

JW_HANDLER(jw_b_ota_running) {
  (void)call, (void)args, (void)argc;
  char label[17];
  const char *state = "undefined";
  jw_ota_running(label, sizeof label, &state);
  jerry_value_t o = jerry_object();
  jw_set_str(o, "label", label);
  jw_set_str(o, "state", state);
  return o;
}

JW_HANDLER(jw_b_ota_mark_valid) {
  (void)call, (void)args, (void)argc;
  jw_ota_mark_valid();
  return jerry_undefined();
}

JW_HANDLER(jw_b_ota_rollback) {
  (void)call, (void)args, (void)argc;
  jw_ota_rollback();
  return jerry_undefined();
}
