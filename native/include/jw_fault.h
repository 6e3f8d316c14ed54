/* Restart policy after an uncaught exception or unhandled rejection: exponential backoff, no tight reboot loop. */
#ifndef JW_FAULT_H
#define JW_FAULT_H
#include <stdint.h>

/* Delay before the restart that follows the n-th consecutive fault (n >= 1): base * 2^(n-1), capped at max. */
uint32_t jw_fault_backoff_ms(uint32_t consecutive, uint32_t base_ms, uint32_t max_ms);
#endif
