/* The event ring behind a pthread mutex; a condition variable wakes the JS loop. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include "jw_events.h"

static jw_ring_t ring;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;

bool jw_queue_init(uint32_t capacity) {
  jw_event_t *slots = calloc(capacity, sizeof(jw_event_t));
  if (slots == NULL) return false;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&cv, &attr);
  pthread_condattr_destroy(&attr);
  jw_ring_init(&ring, slots, capacity);
  return true;
}

bool jw_queue_post(jw_event_t *ev) {
  pthread_mutex_lock(&mu);
  bool ok = jw_ring_push(&ring, ev);
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&mu);
  return ok;
}

bool jw_queue_wait(jw_event_t *out, uint32_t timeout_ms) {
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_sec += timeout_ms / 1000;
  until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&mu);
  bool got;
  while (!(got = jw_ring_pop(&ring, out))) {
    if (pthread_cond_timedwait(&cv, &mu, &until) == ETIMEDOUT) {
      got = jw_ring_pop(&ring, out);
      break;
    }
  }
  pthread_mutex_unlock(&mu);
  return got;
}

uint32_t jw_queue_dropped(void) {
  pthread_mutex_lock(&mu);
  uint32_t d = ring.dropped;
  pthread_mutex_unlock(&mu);
  return d;
}
