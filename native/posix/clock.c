/* Monotonic clock and timers: one thread runs the portable timer table and posts JW_EV_TIMER. */
#include <pthread.h>
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

uint64_t jw_millis(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

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

static void *run(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  for (;;) {
    jw_timers_run_due(&table, jw_millis(), fire, NULL);
    uint64_t next = jw_timers_next_due(&table);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    uint64_t now = jw_millis();
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

int32_t jw_timer_start(uint32_t ms, bool repeat) {
  pthread_mutex_lock(&mu);
  ensure_started();
  int32_t id = jw_timers_add(&table, jw_millis(), ms, repeat);
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&mu);
  return id;
}

void jw_timer_stop(int32_t id) {
  pthread_mutex_lock(&mu);
  if (started) jw_timers_remove(&table, id);
  pthread_mutex_unlock(&mu);
}
