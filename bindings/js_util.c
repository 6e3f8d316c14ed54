#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jw_js.h"

jerry_value_t jw_throw(jerry_error_t type, const char *code, const char *fn, const char *what) {
  char msg[160];
  snprintf(msg, sizeof msg, "native.%s: %s", fn, what);
  jerry_value_t err = jerry_error_sz(type, msg);
  if (jerry_value_is_object(err)) jw_set_str(err, "code", code);
  return jerry_throw_value(err, true);
}
jerry_value_t jw_type_error(const char *fn, const char *what) { return jw_throw(JERRY_ERROR_TYPE, "EARG", fn, what); }
jerry_value_t jw_range_error(const char *fn, const char *what) { return jw_throw(JERRY_ERROR_RANGE, "ERANGE", fn, what); }
jerry_value_t jw_handle_error(const char *fn, const char *what) { return jw_throw(JERRY_ERROR_TYPE, "EHANDLE", fn, what); }
jerry_value_t jw_limit_error(const char *fn, const char *what) { return jw_throw(JERRY_ERROR_RANGE, "ELIMIT", fn, what); }

bool jw_is_int(const jerry_value_t a[], jerry_length_t n, jerry_length_t i) {
  if (!jw_is_number(a, n, i)) return false;
  double d = jerry_value_as_number(a[i]);
  return d == (double)(int64_t)d && d >= -2147483648.0 && d <= 4294967295.0;
}

size_t jw_utf8_size(jerry_value_t v) { return jerry_value_is_string(v) ? (size_t)jerry_string_size(v, JERRY_ENCODING_UTF8) : 0; }

bool jw_is_string(const jerry_value_t a[], jerry_length_t n, jerry_length_t i) { return i < n && jerry_value_is_string(a[i]); }
bool jw_is_number(const jerry_value_t a[], jerry_length_t n, jerry_length_t i) { return i < n && jerry_value_is_number(a[i]); }
bool jw_is_function(const jerry_value_t a[], jerry_length_t n, jerry_length_t i) {
  return i < n && jerry_value_is_function(a[i]);
}
double jw_num(const jerry_value_t a[], jerry_length_t n, jerry_length_t i) { return i < n ? jerry_value_as_number(a[i]) : 0; }

bool jw_str(jerry_value_t v, char *buf, size_t len) {
  if (!jerry_value_is_string(v) || len == 0) return false;
  jerry_size_t size = jerry_string_size(v, JERRY_ENCODING_UTF8);
  if (size >= len) return false;
  jerry_size_t n = jerry_string_to_buffer(v, JERRY_ENCODING_UTF8, (jerry_char_t *)buf, (jerry_size_t)len - 1);
  buf[n] = '\0';
  return true;
}

char *jw_str_alloc(jerry_value_t v, size_t max) {
  if (!jerry_value_is_string(v)) return NULL;
  jerry_size_t size = jerry_string_size(v, JERRY_ENCODING_UTF8);
  if (size > max) return NULL;
  char *p = malloc((size_t)size + 1);
  if (p == NULL) return NULL;
  jerry_size_t n = jerry_string_to_buffer(v, JERRY_ENCODING_UTF8, (jerry_char_t *)p, size);
  p[n] = '\0';
  return p;
}

bool jw_bytes(jerry_value_t v, const uint8_t **p, size_t *len, uint8_t **tmp) {
  *tmp = NULL;
  if (jerry_value_is_arraybuffer(v)) {
    *p = jerry_arraybuffer_data(v);
    *len = jerry_arraybuffer_size(v);
    return true;
  }
  if (jerry_value_is_string(v)) {
    char *s = jw_str_alloc(v, 1u << 20);
    if (s == NULL) return false;
    *tmp = (uint8_t *)s;
    *p = *tmp;
    *len = strlen(s);
    return true;
  }
  return false;
}

jerry_value_t jw_bytes_new(const uint8_t *p, size_t len) {
  jerry_value_t ab = jerry_arraybuffer((jerry_length_t)len);
  if (jerry_value_is_exception(ab)) return ab;
  if (len) jerry_arraybuffer_write(ab, 0, p, (jerry_size_t)len);
  return ab;
}

void jw_set_val(jerry_value_t obj, const char *key, jerry_value_t v) {
  jerry_value_free(jerry_object_set_sz(obj, key, v));
  jerry_value_free(v);
}
void jw_set_num(jerry_value_t obj, const char *key, double v) { jw_set_val(obj, key, jerry_number(v)); }
void jw_set_str(jerry_value_t obj, const char *key, const char *v) { jw_set_val(obj, key, jerry_string_sz(v)); }
void jw_set_bool(jerry_value_t obj, const char *key, bool v) { jw_set_val(obj, key, jerry_boolean(v)); }

bool jw_get_str(jerry_value_t obj, const char *key, char *buf, size_t len) {
  jerry_value_t v = jerry_object_get_sz(obj, key);
  bool ok = jw_str(v, buf, len);
  jerry_value_free(v);
  return ok;
}

char *jw_get_str_alloc(jerry_value_t obj, const char *key, size_t max) {
  jerry_value_t v = jerry_object_get_sz(obj, key);
  char *s = jw_str_alloc(v, max);
  jerry_value_free(v);
  return s;
}

bool jw_get_num(jerry_value_t obj, const char *key, double *out) {
  jerry_value_t v = jerry_object_get_sz(obj, key);
  bool ok = jerry_value_is_number(v);
  if (ok) *out = jerry_value_as_number(v);
  jerry_value_free(v);
  return ok;
}

bool jw_get_bool(jerry_value_t obj, const char *key, bool *out) {
  jerry_value_t v = jerry_object_get_sz(obj, key);
  bool ok = jerry_value_is_boolean(v);
  if (ok) *out = jerry_value_is_true(v);
  jerry_value_free(v);
  return ok;
}

jerry_value_t jw_utf8(const char *text) {
  if (text == NULL) return jerry_string_sz("");
  jerry_size_t n = (jerry_size_t)strlen(text);
  if (jerry_validate_string((const jerry_char_t *)text, n, JERRY_ENCODING_UTF8))
    return jerry_string((const jerry_char_t *)text, n, JERRY_ENCODING_UTF8);
  return jerry_string_sz("?invalid-utf8?");
}
