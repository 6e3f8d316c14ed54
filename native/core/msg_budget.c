#include "jw_msg_budget.h"

void jw_budget_init(jw_budget_t *b, uint32_t limit_bytes) {
  atomic_init(&b->limit, limit_bytes);
  atomic_init(&b->used, 0);
  atomic_init(&b->dropped, 0);
}

void jw_budget_set_limit(jw_budget_t *b, uint32_t limit_bytes) { atomic_store(&b->limit, limit_bytes); }

bool jw_budget_take(jw_budget_t *b, uint32_t n) {
  uint32_t limit = atomic_load(&b->limit);
  uint32_t used = atomic_load(&b->used);
  do {
    if (n > limit || used > limit - n) {
      atomic_fetch_add(&b->dropped, 1);
      return false;
    }
  } while (!atomic_compare_exchange_weak(&b->used, &used, used + n));
  return true;
}

void jw_budget_give(jw_budget_t *b, uint32_t n) {
  uint32_t used = atomic_load(&b->used);
  /* Never below zero, even if a caller gave back twice: the budget then errs towards admitting. */
  while (!atomic_compare_exchange_weak(&b->used, &used, used > n ? used - n : 0)) {
  }
}

uint32_t jw_budget_used(jw_budget_t *b) { return atomic_load(&b->used); }
uint32_t jw_budget_dropped(jw_budget_t *b) { return atomic_load(&b->dropped); }
