/* Monotonic clock, wall clock (SNTP) and timers whose expiry posts JW_EV_TIMER to the event queue. */
#ifndef JW_CLOCK_H
#define JW_CLOCK_H
#include <stdbool.h>
#include <stdint.h>
uint64_t jw_millis(void);
/* Milliseconds since the Unix epoch once the clock is set (SNTP), else 0. */
double jw_wallclock_ms(void);
/* Starts SNTP (device) once the network is up; a no-op on the host. */
void jw_clock_sync_start(void);
int32_t jw_timer_start(uint32_t ms, bool repeat);
void jw_timer_stop(int32_t id);
#endif
