#include <string.h>
#include "jw_js.h"
#include "jw_kv.h"
#include "jw_sys.h"

#ifndef JW_ENGINE_CONFIG_HASH
#error "JW_ENGINE_CONFIG_HASH (first 16 bytes of SHA-256 of build/engine-config.json, hex) must come from the build"
#endif

const char *jw_app_slot = "embedded";
static jerry_value_t on_fault;

JW_HANDLER(jw_b_device_id) {
  (void)call, (void)args, (void)argc;
  char id[64];
  size_t len = sizeof id;
  if (jw_kv_get_str(JW_KV_SETTINGS, "devId", id, &len) != 0 || id[0] == '\0') jw_sys_chip_id(id, sizeof id);
  return jw_utf8(id);
}

JW_HANDLER(jw_b_info) {
  (void)call, (void)args, (void)argc;
  jerry_value_t o = jerry_object();
  jw_set_str(o, "firmware", JW_FIRMWARE_VERSION);
  jw_set_str(o, "chip", jw_sys_chip());
  jw_set_str(o, "engine", "jerryscript-3.0.0");
  jw_set_str(o, "engineConfigHash", JW_ENGINE_CONFIG_HASH);
  jw_set_num(o, "contractVersion", JW_CONTRACT_VERSION);
  jw_set_str(o, "appSlot", jw_app_slot);
  return o;
}

JW_HANDLER(jw_b_reset_reason) {
  (void)call, (void)args, (void)argc;
  return jerry_string_sz(jw_sys_reset_reason());
}

JW_HANDLER(jw_b_heap_stats) {
  (void)call, (void)args, (void)argc;
  jerry_heap_stats_t s;
  memset(&s, 0, sizeof s);
  jerry_heap_gc(JERRY_GC_PRESSURE_LOW); /* jsUsed is what stays alive, not garbage that waits for a collection */
  jerry_heap_stats(&s);
  uint32_t free_b, min_b;
  jw_sys_native_heap(&free_b, &min_b);
  jerry_value_t o = jerry_object();
  jw_set_num(o, "jsSize", (double)s.size);
  jw_set_num(o, "jsUsed", (double)s.allocated_bytes);
  jw_set_num(o, "jsPeak", (double)s.peak_allocated_bytes);
  jw_set_num(o, "nativeFree", free_b);
  jw_set_num(o, "nativeMinFree", min_b);
  return o;
}

JW_HANDLER(jw_b_restart) {
  (void)call, (void)args, (void)argc;
  jw_sys_restart();
}

JW_HANDLER(jw_b_on_fault) {
  (void)call;
  if (!jw_is_function(args, argc, 0)) return jw_type_error("onFault", "cb must be a function");
  jerry_value_free(on_fault);
  on_fault = jerry_value_copy(args[0]);
  return jerry_undefined();
}

/* Called by vm.c for an uncaught exception or unhandled rejection. A fault inside onFault is not reported again. */
void jw_sys_report_fault(const char *kind, const char *message, const char *stack) {
  static int inside;
  if (!on_fault || inside) return;
  inside = 1;
  jerry_value_t argv[3] = {jerry_string_sz(kind), jw_utf8(message), jw_utf8(stack)};
  jerry_value_t r = jerry_call(on_fault, jerry_undefined(), argv, 3);
  jerry_value_free(r); /* an exception here is dropped: the restart policy runs anyway */
  for (int i = 0; i < 3; i++) jerry_value_free(argv[i]);
  inside = 0;
}

void jw_sys_release(void);
void jw_sys_release(void) {
  jerry_value_free(on_fault);
  on_fault = 0;
}
