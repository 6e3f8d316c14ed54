/* Shared helpers of the JerryScript 3.x glue. Bindings include only this, jerryscript.h and native/include. */
#ifndef JW_JS_H
#define JW_JS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "jerryscript.h"

#define JW_CONTRACT_VERSION 2 /* bindings/contract.ts CONTRACT_VERSION; test/contract checks they are equal */

#define JW_HANDLER(name) \
  jerry_value_t name(const jerry_call_info_t *call, const jerry_value_t args[], const jerry_length_t argc)

typedef jerry_value_t (*jw_handler_t)(const jerry_call_info_t *, const jerry_value_t[], const jerry_length_t);
typedef struct {
  const char *name;
  jw_handler_t fn;
} jw_binding_t;

/* Errors cross the contract with a code (bindings/native.d.ts NativeErrorCode) in the thrown object's `code`:
 * EARG (TypeError: wrong type or shape), EHANDLE (TypeError: a handle that is not open),
 * ERANGE (RangeError: over a limit, out of the partition), ELIMIT (RangeError: too many open at once). */
jerry_value_t jw_throw(jerry_error_t type, const char *code, const char *fn, const char *what);
jerry_value_t jw_type_error(const char *fn, const char *what);
jerry_value_t jw_range_error(const char *fn, const char *what);
jerry_value_t jw_handle_error(const char *fn, const char *what);
jerry_value_t jw_limit_error(const char *fn, const char *what);
/* The contract's limits (bindings/contract.ts NATIVE_LIMITS; test/conformance proves both sides agree). */
#define JW_LIMIT_TOPIC 255u
#define JW_LIMIT_URL 255u
#define JW_LIMIT_CLIENT_ID 127u
#define JW_LIMIT_CREDENTIAL 256u
#define JW_LIMIT_PEM 8192u
#define JW_LIMIT_WILL_PAYLOAD 4096u
#define JW_LIMIT_KV_VALUE 4000u
/* A number that is an integer (any sign, up to 2^32-1). */
bool jw_is_int(const jerry_value_t args[], jerry_length_t argc, jerry_length_t i);
/* UTF-8 size of a string value (0 for anything else). */
size_t jw_utf8_size(jerry_value_t v);
bool jw_is_string(const jerry_value_t args[], jerry_length_t argc, jerry_length_t i);
bool jw_is_number(const jerry_value_t args[], jerry_length_t argc, jerry_length_t i);
bool jw_is_function(const jerry_value_t args[], jerry_length_t argc, jerry_length_t i);
double jw_num(const jerry_value_t args[], jerry_length_t argc, jerry_length_t i);
/* UTF-8 copy into buf, NUL-terminated; false when not a string or longer than len-1. */
bool jw_str(jerry_value_t v, char *buf, size_t len);
/* malloc'd UTF-8 copy (free it), NULL when not a string or too long. */
char *jw_str_alloc(jerry_value_t v, size_t max);
/* A view of an ArrayBuffer, or a UTF-8 copy of a string (*tmp to free). false for other types. */
bool jw_bytes(jerry_value_t v, const uint8_t **p, size_t *len, uint8_t **tmp);
/* A new ArrayBuffer with a copy of the bytes; an exception value when the JS heap is full. */
jerry_value_t jw_bytes_new(const uint8_t *p, size_t len);
/* A JS string from network bytes: invalid UTF-8 becomes "\uFFFD"-free "?" text rather than reaching the engine. */
jerry_value_t jw_utf8(const char *text);
/* Property helpers on plain objects. */
void jw_set_num(jerry_value_t obj, const char *key, double v);
void jw_set_str(jerry_value_t obj, const char *key, const char *v);
void jw_set_bool(jerry_value_t obj, const char *key, bool v);
void jw_set_val(jerry_value_t obj, const char *key, jerry_value_t v); /* frees v */
/* obj[key] as a UTF-8 string into buf; false when absent or not a string. */
bool jw_get_str(jerry_value_t obj, const char *key, char *buf, size_t len);
char *jw_get_str_alloc(jerry_value_t obj, const char *key, size_t max);
bool jw_get_num(jerry_value_t obj, const char *key, double *out);
bool jw_get_bool(jerry_value_t obj, const char *key, bool *out);

/* The registration table (registry.c) and its installer. */
extern const jw_binding_t JW_BINDINGS[];
extern const size_t JW_BINDINGS_COUNT;
void jw_bindings_install(void);

/* Calls a JS callback from the event loop: exceptions become faults (vm.c). Frees nothing it was given. */
void jw_vm_call(jerry_value_t fn, const jerry_value_t *argv, jerry_length_t n);
/* The onFault callback (b_sys.c) and the MQTT/timer/Wi-Fi dispatchers (b_*.c), called by vm.c. */
void jw_sys_report_fault(const char *kind, const char *message, const char *stack);
void jw_clock_dispatch(int32_t timer_id);
void jw_wifi_dispatch(int got_ip, int reason, const char *ip);
struct jw_event_s;
void jw_mqtt_dispatch(int kind, int client, int b, uint8_t flags, const char *text, const uint8_t *data, uint32_t len);
/* Releases every JS value the bindings hold (before jerry_cleanup). */
void jw_bindings_release(void);
/* Set by the runtime before the app runs. */
extern const char *jw_app_slot;
#endif
