/* The JS runtime: one task (thread), one event queue, Promise jobs after every event, faults to onFault and a
 * restart policy with backoff, a watchdog through the VM halt handler. Called by app_main (native/esp) and by
 * the host runner (native/posix/main.c). */
#ifndef JW_VM_H
#define JW_VM_H
#include <stdint.h>
#include "jw_app_loader.h"

typedef struct {
  uint32_t watchdog_ms;      /* longest a callback may run */
  uint32_t fault_base_ms;    /* first restart delay */
  uint32_t fault_max_ms;     /* longest restart delay */
  uint32_t healthy_after_ms; /* fault counter reset after this long without a fault */
  uint32_t run_for_ms;       /* host: stop after this long (0 = forever) */
  uint8_t mem_stats;         /* host: the engine prints its memory breakdown at cleanup (JERRY_INIT_MEM_STATS) */
} jw_vm_config_t;

/* Does not return on the device except by restart; returns an exit code on the host (0 on JW_EV_QUIT or run_for). */
int jw_vm_run(const jw_loaded_app_t *app, const jw_vm_config_t *cfg);

/* Logs the engine's heap figures (used, peak, size) while the engine runs; a no-op otherwise. */
void jw_vm_heap_report(const char *when);

/* Magic strings the running app image registered (static snapshot images; 0 for source). */
uint32_t jw_vm_magic_string_count(void);
#endif
