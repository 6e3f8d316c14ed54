/* A byte budget shared by every queued, not yet consumed MQTT message payload (all clients together), so a flood
 * from peers cannot take the heap: the event queue bounds how many messages wait, this bounds their bytes.
 * Lock-free (C11 atomics): the MQTT tasks take, the JS task gives back after it has consumed a message. */
#ifndef JW_MSG_BUDGET_H
#define JW_MSG_BUDGET_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
  _Atomic uint32_t limit;
  _Atomic uint32_t used;
  _Atomic uint32_t dropped; /* takes refused */
} jw_budget_t;

void jw_budget_init(jw_budget_t *b, uint32_t limit_bytes);
/* A new limit applies to later takes; bytes already taken stay taken. */
void jw_budget_set_limit(jw_budget_t *b, uint32_t limit_bytes);
/* Takes n bytes, or refuses (false, counted in `dropped`) when used + n would exceed the limit. */
bool jw_budget_take(jw_budget_t *b, uint32_t n);
void jw_budget_give(jw_budget_t *b, uint32_t n);
uint32_t jw_budget_used(jw_budget_t *b);
uint32_t jw_budget_dropped(jw_budget_t *b);
#endif
