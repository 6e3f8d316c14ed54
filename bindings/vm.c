#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jerryscript.h"
#include "jw_clock.h"
#include "jw_events.h"
#include "jw_fault.h"
#include "jw_js.h"
#include "jw_log.h"
#include "jw_sys.h"
#include "jw_vm.h"

void jw_clock_release(void);
void jw_wifi_release(void);
void jw_mqtt_release(void);
void jw_sys_release(void);
extern char jw_mapped_tag;

#define MAX_PENDING_REJECTIONS 8

static const jw_vm_config_t *cfg;
static bool callback_running;
static uint64_t callback_started; /* jw_millis() when the running callback started (0 is a valid time) */
static jerry_value_t rejected[MAX_PENDING_REJECTIONS];
static int n_rejected, rejections_lost;
static int faulted;

/* --- ArrayBuffer backing stores: mapped flash is not ours to free ---------------------------------------- */
static uint8_t *ab_alloc(jerry_arraybuffer_type_t t, uint32_t size, void **ab_user, void *user) {
  (void)t, (void)user;
  *ab_user = NULL;
  return jerry_heap_alloc(size);
}
static void ab_free(jerry_arraybuffer_type_t t, uint8_t *p, uint32_t size, void *ab_user, void *user) {
  (void)t, (void)user;
  if (ab_user == &jw_mapped_tag) return;
  jerry_heap_free(p, size);
}

/* --- watchdog ------------------------------------------------------------------------------------------- */
static jerry_value_t halt_cb(void *user) {
  (void)user;
  /* Elapsed time from a start that may be 0 (a clock at boot, or a manual clock): no sentinel value, no wrap. */
  uint64_t now = jw_millis();
  if (callback_running && now > callback_started && now - callback_started > cfg->watchdog_ms) {
    char msg[80];
    snprintf(msg, sizeof msg, "watchdog: a callback ran longer than %u ms", (unsigned)cfg->watchdog_ms);
    return jerry_string_sz(msg); /* the engine throws it, again at each check, until the callback unwinds */
  }
  return jerry_undefined();
}

/* --- unhandled rejections ------------------------------------------------------------------------------- */
static void promise_cb(jerry_promise_event_type_t type, const jerry_value_t obj, const jerry_value_t value, void *user) {
  (void)value, (void)user;
  if (type == JERRY_PROMISE_EVENT_REJECT_WITHOUT_HANDLER) {
    if (n_rejected < MAX_PENDING_REJECTIONS) rejected[n_rejected++] = jerry_value_copy(obj);
    else rejections_lost++;
  } else if (type == JERRY_PROMISE_EVENT_CATCH_HANDLER_ADDED) {
    for (int i = 0; i < n_rejected; i++) {
      jerry_value_t same = jerry_binary_op(JERRY_BIN_OP_STRICT_EQUAL, rejected[i], obj);
      bool eq = jerry_value_is_true(same);
      jerry_value_free(same);
      if (eq) {
        jerry_value_free(rejected[i]);
        rejected[i] = rejected[--n_rejected];
        break;
      }
    }
  }
}

/* --- where an exception was thrown ------------------------------------------------------------------------
 * Captured when the VM throws (JERRY_VM_THROW), while the throwing frames still exist: a static snapshot keeps no
 * line info, so its Error().stack frames all read "<anonymous>:1:1". A frame with a location is "app.js:L:C";
 * one without is "fn NAME (app.js)", which `jerrywatt trace` maps to the function's TypeScript. */
#define THROW_FRAMES 6
static jerry_value_t thrown; /* the value the frames belong to (0: none) */
static char thrown_frames[THROW_FRAMES * 48];
static size_t thrown_len;
static int thrown_count;

static bool frame_cb(jerry_frame_t *f, void *user) {
  (void)user;
  if (jerry_frame_type(f) != JERRY_BACKTRACE_FRAME_JS) return true;
  char frame[48];
  const jerry_frame_location_t *loc = jerry_frame_location(f);
  if (loc != NULL) {
    snprintf(frame, sizeof frame, "app.js:%u:%u", (unsigned)loc->line, (unsigned)loc->column);
  } else {
    char name[32] = "?";
    const jerry_value_t *callee = jerry_frame_callee(f);
    if (callee != NULL && jerry_value_is_object(*callee)) {
      jerry_value_t n = jerry_object_get_sz(*callee, "name");
      if (!jw_str(n, name, sizeof name) || name[0] == '\0') snprintf(name, sizeof name, "?");
      jerry_value_free(n);
    }
    snprintf(frame, sizeof frame, "fn %s (app.js)", name);
  }
  int n = snprintf(thrown_frames + thrown_len, sizeof thrown_frames - thrown_len, "%s%s", thrown_len ? "\n" : "", frame);
  if (n > 0 && thrown_len + (size_t)n < sizeof thrown_frames) thrown_len += (size_t)n;
  return ++thrown_count < THROW_FRAMES;
}

static void throw_cb(const jerry_value_t exception, void *user) {
  (void)user;
  if (thrown) { /* called again in each frame the same exception unwinds through: keep the deepest capture */
    jerry_value_t same = jerry_binary_op(JERRY_BIN_OP_STRICT_EQUAL, thrown, exception);
    bool again = jerry_value_is_true(same);
    jerry_value_free(same);
    if (again) return;
  }
  jerry_value_free(thrown);
  thrown = jerry_value_copy(exception);
  thrown_len = 0;
  thrown_count = 0;
  thrown_frames[0] = '\0';
  jerry_backtrace_capture(frame_cb, NULL);
}

static void forget_thrown(void) {
  jerry_value_free(thrown);
  thrown = 0;
  thrown_len = 0;
}

/* --- faults --------------------------------------------------------------------------------------------- */
static void describe(jerry_value_t err, char *msg, size_t ml, char *stack, size_t sl) {
  jerry_value_t s = jerry_value_to_string(err);
  if (!jw_str(s, msg, ml)) snprintf(msg, ml, "(unprintable error)");
  jerry_value_free(s);
  stack[0] = '\0';
  if (!jerry_value_is_object(err)) return;
  jerry_value_t st = jerry_object_get_sz(err, "stack");
  if (jerry_value_is_array(st)) { /* JerryScript keeps "file:line:column" frames in an array */
    size_t used = 0;
    for (jerry_length_t i = 0; i < jerry_array_length(st) && used + 2 < sl; i++) {
      jerry_value_t f = jerry_object_get_index(st, i);
      char frame[96];
      if (jw_str(f, frame, sizeof frame)) used += (size_t)snprintf(stack + used, sl - used, "%s%s", used ? "\n" : "", frame);
      jerry_value_free(f);
      if (used >= sl) used = sl - 1;
    }
  } else {
    jw_str(st, stack, sl);
  }
  jerry_value_free(st);
}

static void drain_for(uint32_t ms);

static void fault(const char *kind, jerry_value_t err) {
  char msg[256], stack[768];
  describe(err, msg, sizeof msg, stack, sizeof stack);
  if (thrown && thrown_len) { /* the frames captured at the throw say more than a snapshot's stack */
    jerry_value_t same = jerry_binary_op(JERRY_BIN_OP_STRICT_EQUAL, thrown, err);
    if (jerry_value_is_true(same)) snprintf(stack, sizeof stack, "%s", thrown_frames);
    jerry_value_free(same);
  }
  jw_log(JW_LOG_ERROR, "js", "uncaught %s: %s\n%s", kind, msg, stack);
  if (faulted) return; /* already on the way to a restart */
  faulted = 1;
  jw_sys_report_fault(kind, msg, stack);
  uint32_t n = jw_sys_fault_count() + 1;
  jw_sys_set_fault_count(n);
  uint32_t delay = jw_fault_backoff_ms(n, cfg->fault_base_ms, cfg->fault_max_ms);
  jw_log(JW_LOG_WARN, "js", "fault %u in a row: restart in %u ms", (unsigned)n, (unsigned)delay);
  drain_for(delay); /* keeps MQTT flowing so the error report leaves; further faults only log */
  jw_sys_restart();
}

static void check_rejections(void) {
  while (n_rejected > 0) {
    jerry_value_t p = rejected[--n_rejected];
    jerry_value_t reason = jerry_promise_result(p);
    fault("rejection", reason);
    jerry_value_free(reason);
    jerry_value_free(p);
  }
  if (rejections_lost) {
    jerry_value_t e = jerry_string_sz("more unhandled rejections than tracked");
    rejections_lost = 0;
    fault("rejection", e);
    jerry_value_free(e);
  }
}

static void after_js(jerry_value_t result) {
  callback_running = false;
  if (jerry_value_is_exception(result)) {
    jerry_value_t err = jerry_exception_value(result, false);
    fault("exception", err);
    jerry_value_free(err);
  }
  jerry_value_t jobs = jerry_run_jobs();
  if (jerry_value_is_exception(jobs)) {
    jerry_value_t err = jerry_exception_value(jobs, false);
    fault("exception", err);
    jerry_value_free(err);
  }
  jerry_value_free(jobs);
  check_rejections();
  forget_thrown(); /* a caught exception's frames are of no use after the event */
}

void jw_vm_call(jerry_value_t fn, const jerry_value_t *argv, jerry_length_t n) {
  callback_started = jw_millis();
  callback_running = true;
  jerry_value_t r = jerry_call(fn, jerry_undefined(), argv, n);
  after_js(r);
  jerry_value_free(r);
}

/* --- the loop ------------------------------------------------------------------------------------------- */
static int dispatch(jw_event_t *ev) {
  switch (ev->kind) {
    case JW_EV_TIMER: jw_clock_dispatch(ev->a); break;
    case JW_EV_WIFI: jw_wifi_dispatch(ev->a, ev->b, ev->text); break;
    case JW_EV_MQTT_CONNECT:
    case JW_EV_MQTT_MESSAGE:
    case JW_EV_MQTT_CLOSE:
    case JW_EV_MQTT_ERROR: jw_mqtt_dispatch(ev->kind, ev->a, ev->b, ev->flags, ev->text, ev->data, ev->len); break;
    case JW_EV_QUIT: return 1;
    default: break;
  }
  return 0;
}

static void drain_for(uint32_t ms) {
  uint64_t until = jw_millis() + ms;
  jw_event_t ev;
  for (uint64_t now = jw_millis(); now < until; now = jw_millis()) {
    if (!jw_queue_wait(&ev, (uint32_t)(until - now))) break;
    dispatch(&ev);
    jw_event_release(&ev);
  }
}

/* --- the app's magic strings (static snapshot images; build/snapshot.ts has the payload layout) --------------- */
#define STATIC_HEADER 16u
static const jerry_char_t **magic_items; /* the one table in DRAM: a pointer per string, into the mapped image */
static uint32_t magic_count;

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* Checks the payload's layout; on success snap and snap_len give the snapshot. Registers nothing. */
static int static_layout(const jw_loaded_app_t *app, const uint8_t **snap, size_t *snap_len, uint32_t *count, const uint8_t **table) {
  const uint8_t *p = app->payload;
  size_t n = app->header.payload_size;
  if (n < STATIC_HEADER || memcmp(p, "JWSS", 4) != 0) return 0;
  uint32_t slen = rd32(p + 4), cnt = rd32(p + 8), t = rd32(p + 12);
  if (slen % 8u || slen > n - STATIC_HEADER || t != STATIC_HEADER + slen || cnt > (n - t) / 4u) return 0;
  uint64_t bytes = 0;
  for (uint32_t i = 0; i < cnt; i++) {
    uint32_t len = rd32(p + t + 4u * i);
    if (len == 0) return 0;
    bytes += len;
  }
  if (bytes > n - t - 4u * (uint64_t)cnt) return 0;
  /* In place needs the engine's alignment (4 bytes: it reads 32-bit values; flash mappings and the embedded copy are
   * at least that aligned, and the payload starts at image offset 128). */
  if (((uintptr_t)(p + STATIC_HEADER)) % 4u || ((uintptr_t)(p + t)) % 4u) return 0;
  *snap = p + STATIC_HEADER;
  *snap_len = slen;
  *count = cnt;
  *table = p + t;
  return 1;
}

/* Before any string exists (right after jerry_init): the engine keeps both arrays for its whole life. The lengths
 * are read in place from the image; only the pointer array is allocated. */
static int register_magic_strings(const jw_loaded_app_t *app) {
  const uint8_t *snap, *table;
  size_t snap_len;
  uint32_t cnt;
  if (app->header.payload_kind != JW_IMAGE_KIND_SNAPSHOT) return 1;
  if (!static_layout(app, &snap, &snap_len, &cnt, &table)) return 0;
  if (cnt == 0) return 1;
  magic_items = malloc(cnt * sizeof *magic_items);
  if (magic_items == NULL) return 0;
  const uint8_t *s = table + 4u * cnt;
  for (uint32_t i = 0; i < cnt; i++) {
    magic_items[i] = s;
    s += rd32(table + 4u * i);
  }
  magic_count = cnt;
  jerry_register_magic_strings(magic_items, cnt, (const jerry_length_t *)(const void *)table);
  return 1;
}

uint32_t jw_vm_magic_string_count(void) { return magic_count; }

static int engine_up;

void jw_vm_heap_report(const char *when) {
  if (!engine_up) return;
  jerry_heap_stats_t s;
  memset(&s, 0, sizeof s);
  jerry_heap_stats(&s);
  jw_log(JW_LOG_INFO, "vm", "heap %s: used %u peak %u size %u magic %u", when, (unsigned)s.allocated_bytes, (unsigned)s.peak_allocated_bytes,
         (unsigned)s.size, (unsigned)magic_count);
}

static jerry_value_t run_payload(const jw_loaded_app_t *app) {
  const uint8_t *p = app->payload;
  size_t n = app->header.payload_size;
  if (app->header.payload_kind == JW_IMAGE_KIND_SNAPSHOT) {
    /* A static snapshot runs in place: byte code, function headers and literals stay in the (read-only) image. */
    const uint8_t *snap, *table;
    size_t snap_len;
    uint32_t cnt;
    if (!static_layout(app, &snap, &snap_len, &cnt, &table)) return jerry_throw_sz(JERRY_ERROR_RANGE, "app image: bad static snapshot payload");
    return jerry_exec_snapshot((const uint32_t *)(const void *)snap, snap_len, 0, JERRY_SNAPSHOT_EXEC_ALLOW_STATIC, NULL);
  }
  jerry_parse_options_t opts;
  memset(&opts, 0, sizeof opts);
  opts.options = JERRY_PARSE_HAS_SOURCE_NAME;
  opts.source_name = jerry_string_sz("app.js");
  jerry_value_t script = jerry_parse(p, n, &opts);
  jerry_value_free(opts.source_name);
  if (jerry_value_is_exception(script)) return script;
  jerry_value_t r = jerry_run(script);
  jerry_value_free(script);
  return r;
}

int jw_vm_run(const jw_loaded_app_t *app, const jw_vm_config_t *config) {
  cfg = config;
  jw_app_slot = app->slot;
  jerry_init(cfg->mem_stats ? JERRY_INIT_MEM_STATS : JERRY_INIT_EMPTY);
  if (cfg->mem_stats) jerry_log_set_level(JERRY_LOG_LEVEL_DEBUG); /* the breakdown is printed at debug level */
  engine_up = 1;
  if (!register_magic_strings(app)) jw_log(JW_LOG_ERROR, "vm", "app image: bad literal table; the snapshot will not run");
  jerry_arraybuffer_allocator(ab_alloc, ab_free, NULL);
  jerry_promise_on_event(JERRY_PROMISE_EVENT_FILTER_ERROR, promise_cb, NULL);
  jerry_halt_handler(256, halt_cb, NULL);
  jerry_on_throw(throw_cb, NULL);
  jw_bindings_install();

  uint64_t start = jw_millis();
  callback_started = start;
  callback_running = true;
  jerry_value_t r = run_payload(app);
  after_js(r);
  jerry_value_free(r);

  int fault_count_cleared = jw_sys_fault_count() == 0;
  jw_event_t ev;
  for (;;) {
    uint64_t now = jw_millis();
    if (cfg->run_for_ms && now - start >= cfg->run_for_ms) break;
    if (!fault_count_cleared && now - start >= cfg->healthy_after_ms) {
      jw_sys_set_fault_count(0);
      fault_count_cleared = 1;
    }
    if (!jw_queue_wait(&ev, 500)) continue;
    int quit = dispatch(&ev);
    jw_event_release(&ev);
    if (quit) break;
  }
  jw_mqtt_release();
  jw_clock_release();
  jw_wifi_release();
  jw_sys_release();
  forget_thrown();
  for (int i = 0; i < n_rejected; i++) jerry_value_free(rejected[i]);
  n_rejected = 0;
  engine_up = 0;
  jerry_cleanup();
  free(magic_items);
  magic_items = NULL;
  magic_count = 0;
  return 0;
}
