/* Monotonic clock and timers: one thread runs the portable timer table and posts JW_EV_TIMER.
 * jw_millis() counts from the runtime's start, as esp_timer does from the chip's boot.
 * JW_CLOCK=manual: an injectable clock for tests and benchmarks. Time stands still until a line "advance <ms>" on
 * stdin moves it; due timers then fire in order, as on the real clock. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "jw_clock.h"
#include "jw_events.h"
#include "jw_timers.h"

static jw_timers_t table;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static pthread_t thread;
static int started;

static pthread_once_t base_once = PTHREAD_ONCE_INIT;
static uint64_t base_ms;
static int manual;
static uint64_t manual_ms; /* guarded by mu */

static uint64_t monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void *read_advances(void *arg);

static void init_base(void) {
  base_ms = monotonic_ms();
  const char *c = getenv("JW_CLOCK");
  manual = c != NULL && strcmp(c, "manual") == 0;
  if (manual) {
    pthread_t t;
    pthread_create(&t, NULL, read_advances, NULL);
    pthread_detach(t);
  }
}

uint64_t jw_millis(void) {
  pthread_once(&base_once, init_base);
  if (!manual) return monotonic_ms() - base_ms;
  pthread_mutex_lock(&mu);
  uint64_t now = manual_ms;
  pthread_mutex_unlock(&mu);
  return now;
}

/* Called once before anything else runs, so uptime starts at the runtime's start, not at the first query. */
void jw_clock_init(void) { pthread_once(&base_once, init_base); }

double jw_wallclock_ms(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (double)tv.tv_sec * 1000.0 + (double)(tv.tv_usec / 1000);
}

void jw_clock_sync_start(void) {}

static void fire(int32_t id, void *user) {
  (void)user;
  jw_event_t ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = JW_EV_TIMER;
  ev.a = id;
  jw_queue_post(&ev);
}

static void ensure_started(void);

/* Manual clock: each "advance N" line steps time to every due timer in turn, then to now + N. */
static void *read_advances(void *arg) {
  (void)arg;
  char line[64];
  while (fgets(line, sizeof line, stdin)) {
    unsigned long long n;
    if (sscanf(line, "advance %llu", &n) != 1) continue;
    pthread_mutex_lock(&mu);
    ensure_started();
    uint64_t until = manual_ms + n;
    for (;;) {
      uint64_t next = jw_timers_next_due(&table);
      if (next > until) break;
      if (next > manual_ms) manual_ms = next;
      jw_timers_run_due(&table, manual_ms, fire, NULL);
    }
    manual_ms = until;
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

static void *run(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  for (;;) {
    if (manual) { /* the reader thread fires timers as it moves time */
      pthread_cond_wait(&cv, &mu);
      continue;
    }
    uint64_t now = jw_millis();
    jw_timers_run_due(&table, now, fire, NULL);
    uint64_t next = jw_timers_next_due(&table);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    now = jw_millis();
    uint64_t wait = next == UINT64_MAX ? 1000 : (next > now ? next - now : 0);
    until.tv_sec += (time_t)(wait / 1000);
    until.tv_nsec += (long)(wait % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    if (wait) pthread_cond_timedwait(&cv, &mu, &until);
  }
  return NULL;
}

/* With mu held. */
static void ensure_started(void) {
  if (started) return;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&cv, &attr);
  pthread_condattr_destroy(&attr);
  jw_timers_init(&table);
  started = 1;
  pthread_create(&thread, NULL, run, NULL);
  pthread_detach(thread);
}

static uint64_t now_locked(void) { return manual ? manual_ms : monotonic_ms() - base_ms; }

int32_t jw_timer_start(uint32_t ms, bool repeat) {
  pthread_once(&base_once, init_base);
  pthread_mutex_lock(&mu);
  ensure_started();
  int32_t id = jw_timers_add(&table, now_locked(), ms, repeat);
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&mu);
  return id;
}

void jw_timer_stop(int32_t id) {
  pthread_mutex_lock(&mu);
  if (started) jw_timers_remove(&table, id);
  pthread_mutex_unlock(&mu);
}
