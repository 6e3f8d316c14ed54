#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "host_paths.h"
#include "jw_log.h"
#include "jw_sys.h"

void jw_sys_chip_id(char *buf, size_t len) {
  const char *id = getenv("JW_CHIP_ID");
  snprintf(buf, len, "%s", id && *id ? id : "0000000000a1");
}

const char *jw_sys_chip(void) { return "host"; }

static void rtc_path(char *p, size_t len, const char *name) {
  char dir[512];
  if (jw_host_path(dir, sizeof dir, "rtc") != 0) dir[0] = '\0';
  snprintf(p, len, "%s/%s", dir, name);
}

/* "sw" after jw_sys_restart (it leaves a mark the next start consumes), "poweron" for a fresh start;
 * JW_RESET_REASON overrides both (tests of other reasons). Read once, at the first query of a run. */
const char *jw_sys_reset_reason(void) {
  static char reason[16];
  const char *r = getenv("JW_RESET_REASON");
  if (r && *r) return r;
  if (reason[0] == '\0') {
    char p[600];
    rtc_path(p, sizeof p, "reset");
    FILE *f = fopen(p, "r");
    snprintf(reason, sizeof reason, "poweron");
    if (f) {
      if (fscanf(f, "%15s", reason) != 1) snprintf(reason, sizeof reason, "poweron");
      fclose(f);
      remove(p);
    }
  }
  return reason;
}

void jw_sys_native_heap(uint32_t *free_bytes, uint32_t *min_free_bytes) {
  *free_bytes = 0; /* no meaningful figure on the host */
  *min_free_bytes = 0;
}

/* The host runner restarts by exiting with code 3; host/native/run.ts starts it again. */
void jw_sys_restart(void) {
  jw_log(JW_LOG_WARN, "sys", "restart");
  char p[600];
  rtc_path(p, sizeof p, "reset");
  FILE *f = fopen(p, "w");
  if (f) {
    fputs("sw\n", f);
    fclose(f);
  }
  fflush(NULL);
  exit(3);
}

static void fault_path(char *p, size_t len) { rtc_path(p, len, "faults"); }

uint32_t jw_sys_fault_count(void) {
  char p[600];
  unsigned n = 0;
  fault_path(p, sizeof p);
  FILE *f = fopen(p, "r");
  if (f) {
    if (fscanf(f, "%u", &n) != 1) n = 0;
    fclose(f);
  }
  return n;
}

void jw_sys_set_fault_count(uint32_t n) {
  char p[600];
  fault_path(p, sizeof p);
  FILE *f = fopen(p, "w");
  if (f) {
    fprintf(f, "%u\n", (unsigned)n);
    fclose(f);
  }
}

void jw_sys_sleep_ms(uint32_t ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}
