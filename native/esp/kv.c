/* NVS: `settings` partition (provisioned by jerrywatt flash, read-only here) and `nvs` (runtime state). */
#include <string.h>
#include "nvs.h"
#include "nvs_flash.h"
#include "jw_kv.h"
#include "jw_log.h"

static const char *part_of(jw_kv_store_t s) { return s == JW_KV_SETTINGS ? "settings" : NVS_DEFAULT_PART_NAME; }

int jw_kv_init(void) {
  esp_err_t err = nvs_flash_init();
  if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
    jw_log(JW_LOG_WARN, "kv", "runtime state partition unreadable (%s): erased", esp_err_to_name(err));
    nvs_flash_erase();
    err = nvs_flash_init();
  }
  esp_err_t s = nvs_flash_init_partition("settings"); /* never erased by the device: only `jerrywatt flash` writes it */
  if (s != ESP_OK) jw_log(JW_LOG_WARN, "kv", "no provisioned settings (%s): defaults apply", esp_err_to_name(s));
  return err == ESP_OK ? 0 : -1;
}

int jw_kv_key_ok(const char *key) {
  size_t n = key ? strlen(key) : 0;
  return n > 0 && n <= JW_KV_KEY_MAX;
}

static int open_store(jw_kv_store_t s, bool write, nvs_handle_t *h) {
  if (write && s == JW_KV_SETTINGS) return -1;
  return nvs_open_from_partition(part_of(s), JW_KV_NAMESPACE, write ? NVS_READWRITE : NVS_READONLY, h) == ESP_OK ? 0 : -1;
}

int jw_kv_get_str(jw_kv_store_t s, const char *key, char *buf, size_t *len) {
  nvs_handle_t h;
  if (!jw_kv_key_ok(key) || open_store(s, false, &h) != 0) return -1;
  esp_err_t err = nvs_get_str(h, key, buf, len);
  nvs_close(h);
  return err == ESP_OK ? 0 : -1;
}

int jw_kv_get_i32(jw_kv_store_t s, const char *key, int32_t *out) {
  nvs_handle_t h;
  if (!jw_kv_key_ok(key) || open_store(s, false, &h) != 0) return -1;
  esp_err_t err = nvs_get_i32(h, key, out);
  nvs_close(h);
  return err == ESP_OK ? 0 : -1;
}

int jw_kv_get_blob(jw_kv_store_t s, const char *key, uint8_t *buf, size_t *len) {
  nvs_handle_t h;
  if (!jw_kv_key_ok(key) || open_store(s, false, &h) != 0) return -1;
  esp_err_t err = nvs_get_blob(h, key, buf, len);
  nvs_close(h);
  return err == ESP_OK ? 0 : -1;
}

static int commit_close(nvs_handle_t h, esp_err_t err) {
  if (err == ESP_OK) err = nvs_commit(h);
  nvs_close(h);
  return err == ESP_OK ? 0 : -1;
}

int jw_kv_set_str(jw_kv_store_t s, const char *key, const char *v) {
  nvs_handle_t h;
  if (!jw_kv_key_ok(key) || open_store(s, true, &h) != 0) return -1;
  return commit_close(h, nvs_set_str(h, key, v));
}

int jw_kv_set_i32(jw_kv_store_t s, const char *key, int32_t v) {
  nvs_handle_t h;
  if (!jw_kv_key_ok(key) || open_store(s, true, &h) != 0) return -1;
  return commit_close(h, nvs_set_i32(h, key, v));
}

int jw_kv_set_blob(jw_kv_store_t s, const char *key, const uint8_t *d, size_t len) {
  nvs_handle_t h;
  if (!jw_kv_key_ok(key) || open_store(s, true, &h) != 0) return -1;
  return commit_close(h, nvs_set_blob(h, key, d, len));
}

int jw_kv_erase(jw_kv_store_t s, const char *key) {
  nvs_handle_t h;
  if (!jw_kv_key_ok(key) || open_store(s, true, &h) != 0) return -1;
  return commit_close(h, nvs_erase_key(h, key));
}
