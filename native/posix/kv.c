/* NVS on the host: one file per key, <JW_HOST_DIR>/nvs-<store>/<key>.<type>, so a test can look inside. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "host_paths.h"
#include "jw_kv.h"

#define KV_VALUE_MAX 4000 /* NVS limits a string or blob to about 4000 bytes per entry in a page */

int jw_kv_init(void) { return 0; }

int jw_kv_key_ok(const char *key) {
  size_t n = key ? strlen(key) : 0;
  if (n == 0 || n > JW_KV_KEY_MAX) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = key[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return 0;
  }
  return 1;
}

static int path(char *out, size_t len, jw_kv_store_t store, const char *key, const char *type) {
  char dir[512];
  if (!jw_kv_key_ok(key)) return -1;
  if (jw_host_path(dir, sizeof dir, store == JW_KV_SETTINGS ? "nvs-settings" : "nvs-state") != 0) return -1;
  int n = snprintf(out, len, "%s/%s.%s", dir, key, type);
  return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

static long read_all(jw_kv_store_t store, const char *key, const char *type, uint8_t *buf, size_t cap) {
  char p[600];
  if (path(p, sizeof p, store, key, type) != 0) return -1;
  FILE *f = fopen(p, "rb");
  if (f == NULL) return -1;
  size_t n = fread(buf, 1, cap, f);
  fclose(f);
  return (long)n;
}

static int write_all(jw_kv_store_t store, const char *key, const char *type, const void *data, size_t len) {
  static const char *types[] = {"str", "i32", "blob"};
  char p[600];
  if (len > KV_VALUE_MAX) return -1;
  for (int i = 0; i < 3; i++) { /* one key, one type, as in NVS */
    if (path(p, sizeof p, store, key, types[i]) == 0) unlink(p);
  }
  if (path(p, sizeof p, store, key, type) != 0) return -1;
  FILE *f = fopen(p, "wb");
  if (f == NULL) return -1;
  int ok = fwrite(data, 1, len, f) == len;
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

int jw_kv_get_str(jw_kv_store_t store, const char *key, char *buf, size_t *len) {
  uint8_t tmp[KV_VALUE_MAX + 1];
  long n = read_all(store, key, "str", tmp, sizeof tmp);
  if (n < 0 || (size_t)n + 1 > *len) return -1;
  memcpy(buf, tmp, (size_t)n);
  buf[n] = '\0';
  *len = (size_t)n + 1;
  return 0;
}

int jw_kv_get_i32(jw_kv_store_t store, const char *key, int32_t *out) {
  char tmp[32];
  long n = read_all(store, key, "i32", (uint8_t *)tmp, sizeof tmp - 1);
  if (n <= 0) return -1;
  tmp[n] = '\0';
  *out = (int32_t)strtol(tmp, NULL, 10);
  return 0;
}

int jw_kv_get_blob(jw_kv_store_t store, const char *key, uint8_t *buf, size_t *len) {
  uint8_t tmp[KV_VALUE_MAX];
  long n = read_all(store, key, "blob", tmp, sizeof tmp);
  if (n < 0) return -1;
  if (buf == NULL) {
    *len = (size_t)n;
    return 0;
  }
  if ((size_t)n > *len) return -1;
  memcpy(buf, tmp, (size_t)n);
  *len = (size_t)n;
  return 0;
}

int jw_kv_set_str(jw_kv_store_t store, const char *key, const char *value) {
  return write_all(store, key, "str", value, strlen(value));
}

int jw_kv_set_i32(jw_kv_store_t store, const char *key, int32_t value) {
  char tmp[16];
  int n = snprintf(tmp, sizeof tmp, "%d", (int)value);
  return write_all(store, key, "i32", tmp, (size_t)n);
}

int jw_kv_set_blob(jw_kv_store_t store, const char *key, const uint8_t *data, size_t len) {
  return write_all(store, key, "blob", data, len);
}

int jw_kv_erase(jw_kv_store_t store, const char *key) {
  static const char *types[] = {"str", "i32", "blob"};
  char p[600];
  int found = -1;
  for (int i = 0; i < 3; i++)
    if (path(p, sizeof p, store, key, types[i]) == 0 && unlink(p) == 0) found = 0;
  return found;
}
