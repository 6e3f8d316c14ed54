#include <string.h>
#include "jw_timers.h"

void jw_timers_init(jw_timers_t *t) {
  memset(t, 0, sizeof(*t));
  t->next_id = 1;
}

int32_t jw_timers_add(jw_timers_t *t, uint64_t now, uint32_t ms, bool repeat) {
  for (int i = 0; i < JW_TIMERS_MAX; i++) {
    if (t->slots[i].id == 0) {
      int32_t id = t->next_id;
      t->next_id = t->next_id == INT32_MAX ? 1 : t->next_id + 1;
      t->slots[i].id = id;
      t->slots[i].due_ms = now + ms;
      /* A repeating timer of 0 ms would spin; the contract's shortest useful period is 1 ms. */
      t->slots[i].period_ms = repeat ? (ms ? ms : 1) : 0;
      return id;
    }
  }
  return -1;
}

bool jw_timers_remove(jw_timers_t *t, int32_t id) {
  for (int i = 0; i < JW_TIMERS_MAX; i++) {
    if (t->slots[i].id == id && id != 0) {
      t->slots[i].id = 0;
      return true;
    }
  }
  return false;
}

int jw_timers_run_due(jw_timers_t *t, uint64_t now, void (*fire)(int32_t, void *), void *user) {
  int n = 0;
  for (int i = 0; i < JW_TIMERS_MAX; i++) {
    jw_timer_slot_t *s = &t->slots[i];
    if (s->id == 0 || s->due_ms > now) continue;
    int32_t id = s->id;
    if (s->period_ms) {
      /* Skip missed periods instead of firing a burst after a stall. */
      uint64_t late = now - s->due_ms;
      s->due_ms += s->period_ms * (late / s->period_ms + 1);
    } else {
      s->id = 0;
    }
    fire(id, user);
    n++;
  }
  return n;
}

uint64_t jw_timers_next_due(const jw_timers_t *t) {
  uint64_t next = UINT64_MAX;
  for (int i = 0; i < JW_TIMERS_MAX; i++)
    if (t->slots[i].id != 0 && t->slots[i].due_ms < next) next = t->slots[i].due_ms;
  return next;
}
