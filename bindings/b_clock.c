#include "jw_clock.h"
#include "jw_js.h"
#include "jw_timers.h"

/* Callback per live timer id; the native timer posts the id, the loop looks the callback up here. */
typedef struct {
  int32_t id;
  bool repeat;
  jerry_value_t cb;
} js_timer_t;
static js_timer_t timers[JW_TIMERS_MAX];

static js_timer_t *slot_of(int32_t id) {
  for (int i = 0; i < JW_TIMERS_MAX; i++)
    if (timers[i].id == id && id != 0) return &timers[i];
  return NULL;
}

JW_HANDLER(jw_b_millis) {
  (void)call, (void)args, (void)argc;
  return jerry_number((double)jw_millis());
}

JW_HANDLER(jw_b_wall_clock) {
  (void)call, (void)args, (void)argc;
  return jerry_number(jw_wallclock_ms());
}

JW_HANDLER(jw_b_timer_start) {
  (void)call;
  if (!jw_is_number(args, argc, 0) || !jw_is_function(args, argc, 2)) return jw_type_error("timerStart", "(ms: number, repeat: boolean, cb: function)");
  double ms = jw_num(args, argc, 0);
  if (!(ms >= 0) || ms > 0x7fffffff) return jw_range_error("timerStart", "ms out of range (0..2^31-1)");
  js_timer_t *t = NULL;
  for (int i = 0; i < JW_TIMERS_MAX && t == NULL; i++)
    if (timers[i].id == 0) t = &timers[i];
  if (t == NULL) return jw_limit_error("timerStart", "too many timers");
  bool repeat = jerry_value_to_boolean(args[1]);
  int32_t id = jw_timer_start((uint32_t)ms, repeat);
  if (id <= 0) return jw_limit_error("timerStart", "too many timers");
  t->id = id;
  t->repeat = repeat;
  t->cb = jerry_value_copy(args[2]);
  return jerry_number(id);
}

static void forget(js_timer_t *t) {
  jerry_value_free(t->cb);
  t->id = 0;
  t->cb = 0;
}

JW_HANDLER(jw_b_timer_stop) {
  (void)call;
  if (!jw_is_number(args, argc, 0)) return jw_type_error("timerStop", "id must be a number");
  int32_t id = (int32_t)jw_num(args, argc, 0);
  js_timer_t *t = slot_of(id);
  jw_timer_stop(id);
  if (t) forget(t);
  return jerry_undefined();
}

void jw_clock_dispatch(int32_t id) {
  js_timer_t *t = slot_of(id);
  if (t == NULL) return; /* stopped after it fired: the event was already queued */
  jerry_value_t cb = jerry_value_copy(t->cb);
  if (!t->repeat) forget(t);
  jw_vm_call(cb, NULL, 0);
  jerry_value_free(cb);
}

void jw_clock_release(void);
void jw_clock_release(void) {
  for (int i = 0; i < JW_TIMERS_MAX; i++)
    if (timers[i].id) {
      jw_timer_stop(timers[i].id);
      forget(&timers[i]);
    }
}
