/* The event ring (native/core/events.c) behind a FreeRTOS mutex; a binary semaphore wakes the JS task. */
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include <stdlib.h>
#include "jw_events.h"

static jw_ring_t ring;
static SemaphoreHandle_t mu, wake;

bool jw_queue_init(uint32_t capacity) {
  jw_event_t *slots = calloc(capacity, sizeof(jw_event_t));
  mu = xSemaphoreCreateMutex();
  wake = xSemaphoreCreateBinary();
  if (slots == NULL || mu == NULL || wake == NULL) return false;
  jw_ring_init(&ring, slots, capacity);
  return true;
}

bool jw_queue_post(jw_event_t *ev) {
  xSemaphoreTake(mu, portMAX_DELAY);
  bool ok = jw_ring_push(&ring, ev);
  xSemaphoreGive(mu);
  xSemaphoreGive(wake);
  return ok;
}

bool jw_queue_wait(jw_event_t *out, uint32_t timeout_ms) {
  TickType_t until = xTaskGetTickCount() + pdMS_TO_TICKS(timeout_ms);
  for (;;) {
    xSemaphoreTake(mu, portMAX_DELAY);
    bool got = jw_ring_pop(&ring, out);
    xSemaphoreGive(mu);
    if (got) return true;
    TickType_t now = xTaskGetTickCount();
    if ((int32_t)(until - now) <= 0) return false;
    xSemaphoreTake(wake, until - now);
  }
}

uint32_t jw_queue_dropped(void) {
  xSemaphoreTake(mu, portMAX_DELAY);
  uint32_t d = ring.dropped;
  xSemaphoreGive(mu);
  return d;
}
