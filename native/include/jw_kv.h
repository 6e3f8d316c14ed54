/* NVS: `settings` (provisioned, partition "settings") and `state` (runtime, partition "nvs"). */
#ifndef JW_KV_H
#define JW_KV_H
#include <stddef.h>
#include <stdint.h>
typedef enum { JW_KV_SETTINGS = 0, JW_KV_STATE = 1 } jw_kv_store_t;
#define JW_KV_NAMESPACE "jerrywatt"
#define JW_KV_KEY_MAX 15

int jw_kv_init(void);
int jw_kv_key_ok(const char *key);
/* All return 0 on success, -1 when absent, of another type, invalid, or full. */
int jw_kv_get_str(jw_kv_store_t store, const char *key, char *buf, size_t *len); /* *len in: size, out: bytes incl. NUL */
int jw_kv_get_i32(jw_kv_store_t store, const char *key, int32_t *out);
int jw_kv_get_blob(jw_kv_store_t store, const char *key, uint8_t *buf, size_t *len); /* buf NULL: size query */
int jw_kv_set_str(jw_kv_store_t store, const char *key, const char *value);
int jw_kv_set_i32(jw_kv_store_t store, const char *key, int32_t value);
int jw_kv_set_blob(jw_kv_store_t store, const char *key, const uint8_t *data, size_t len);
int jw_kv_erase(jw_kv_store_t store, const char *key);
#endif
