#include "jw_fault.h"

uint32_t jw_fault_backoff_ms(uint32_t n, uint32_t base, uint32_t max) {
  if (n == 0) return 0;
  uint64_t d = base;
  for (uint32_t i = 1; i < n && d < max; i++) d *= 2;
  return d > max ? max : (uint32_t)d;
}
