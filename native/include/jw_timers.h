/* Software timer table with an injected clock: the POSIX twin drives it from a thread; tests drive it by hand. */
#ifndef JW_TIMERS_H
#define JW_TIMERS_H
#include <stdbool.h>
#include <stdint.h>

#define JW_TIMERS_MAX 32

typedef struct {
  int32_t id; /* 0 = free */
  uint64_t due_ms;
  uint32_t period_ms; /* 0 = one-shot */
} jw_timer_slot_t;

typedef struct {
  jw_timer_slot_t slots[JW_TIMERS_MAX];
  int32_t next_id;
} jw_timers_t;

void jw_timers_init(jw_timers_t *t);
/* Returns an id > 0, or -1 when the table is full. */
int32_t jw_timers_add(jw_timers_t *t, uint64_t now_ms, uint32_t ms, bool repeat);
bool jw_timers_remove(jw_timers_t *t, int32_t id);
/* Calls fire(id) for each due timer (reschedules repeating ones, frees one-shots). Returns how many fired. */
int jw_timers_run_due(jw_timers_t *t, uint64_t now_ms, void (*fire)(int32_t id, void *user), void *user);
/* Earliest due time, or UINT64_MAX when none. */
uint64_t jw_timers_next_due(const jw_timers_t *t);
#endif
