#include <stdlib.h>
#include <string.h>
#include "jw_js.h"
#include "jw_kv.h"

#define KV_STR_MAX JW_LIMIT_KV_VALUE /* a string with its NUL, or a blob */

static bool store_arg(const jerry_value_t args[], jerry_length_t argc, jw_kv_store_t *out) {
  char s[12];
  if (argc < 1 || !jw_str(args[0], s, sizeof s)) return false;
  if (strcmp(s, "settings") == 0) *out = JW_KV_SETTINGS;
  else if (strcmp(s, "state") == 0) *out = JW_KV_STATE;
  else return false;
  return true;
}

JW_HANDLER(jw_b_kv_get) {
  (void)call;
  jw_kv_store_t store;
  char key[JW_KV_KEY_MAX + 2], type[8];
  if (!store_arg(args, argc, &store) || argc < 3 || !jerry_value_is_string(args[1]) || !jw_str(args[2], type, sizeof type))
    return jw_type_error("kvGet", "(store: 'settings'|'state', key: string, type: 'str'|'i32'|'blob')");
  if (!jw_str(args[1], key, sizeof key) || !jw_kv_key_ok(key)) return jerry_undefined();
  if (strcmp(type, "i32") == 0) {
    int32_t v;
    return jw_kv_get_i32(store, key, &v) == 0 ? jerry_number(v) : jerry_undefined();
  }
  if (strcmp(type, "str") == 0) {
    static char buf[KV_STR_MAX + 1]; /* the JS task is the only caller */
    size_t len = sizeof buf;
    return jw_kv_get_str(store, key, buf, &len) == 0 ? jw_utf8(buf) : jerry_undefined();
  }
  if (strcmp(type, "blob") == 0) {
    static uint8_t buf[KV_STR_MAX];
    size_t len = sizeof buf;
    return jw_kv_get_blob(store, key, buf, &len) == 0 ? jw_bytes_new(buf, len) : jerry_undefined();
  }
  return jw_type_error("kvGet", "type must be 'str', 'i32' or 'blob'");
}

JW_HANDLER(jw_b_kv_set) {
  (void)call;
  jw_kv_store_t store;
  char key[JW_KV_KEY_MAX + 2];
  if (!store_arg(args, argc, &store) || argc < 3 || !jerry_value_is_string(args[1]))
    return jw_type_error("kvSet", "(store, key, value)");
  if (!jerry_value_is_number(args[2]) && !jerry_value_is_string(args[2]) && !jerry_value_is_arraybuffer(args[2]))
    return jw_type_error("kvSet", "value must be a string, a number or an ArrayBuffer");
  /* The settings store belongs to the provisioning tools: the device only reads it. */
  if (store == JW_KV_SETTINGS || !jw_str(args[1], key, sizeof key) || !jw_kv_key_ok(key)) return jerry_boolean(false);
  int r;
  if (jerry_value_is_number(args[2])) {
    double d = jerry_value_as_number(args[2]);
    r = d == (double)(int32_t)d ? jw_kv_set_i32(store, key, (int32_t)d) : -1; /* not a 32-bit integer: refused */
  } else if (jerry_value_is_string(args[2])) {
    char *s = jw_str_alloc(args[2], KV_STR_MAX - 1);
    r = s ? jw_kv_set_str(store, key, s) : -1;
    free(s);
  } else if (jerry_value_is_arraybuffer(args[2])) {
    size_t n = jerry_arraybuffer_size(args[2]);
    r = n <= KV_STR_MAX ? jw_kv_set_blob(store, key, jerry_arraybuffer_data(args[2]), n) : -1;
  } else {
    return jw_type_error("kvSet", "value must be a string, a number or an ArrayBuffer");
  }
  return jerry_boolean(r == 0);
}

JW_HANDLER(jw_b_kv_erase) {
  (void)call;
  jw_kv_store_t store;
  char key[JW_KV_KEY_MAX + 2];
  if (!store_arg(args, argc, &store) || argc < 2 || !jerry_value_is_string(args[1])) return jw_type_error("kvErase", "(store, key)");
  if (store == JW_KV_STATE && jw_str(args[1], key, sizeof key) && jw_kv_key_ok(key)) jw_kv_erase(store, key);
  return jerry_undefined();
}
