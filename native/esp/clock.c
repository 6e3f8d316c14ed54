/* esp_timer for JS timers (their callbacks run in the esp_timer task and only post the id), SNTP for wall time. */
#include <string.h>
#include <sys/time.h>
#include "esp_idf_version.h"
#include "esp_timer.h"
#if ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(5, 1, 0)
#include "esp_sntp.h"
#else
#include "lwip/apps/sntp.h"
#endif
#include "sdkconfig.h"
#include "jw_clock.h"
#include "jw_events.h"
#include "jw_timers.h"

typedef struct {
  int32_t id;
  esp_timer_handle_t h;
} slot_t;
static slot_t slots[JW_TIMERS_MAX];
static int32_t next_id = 1;

uint64_t jw_millis(void) { return (uint64_t)(esp_timer_get_time() / 1000); }

double jw_wallclock_ms(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  if (tv.tv_sec < 1577836800) return 0; /* before 2020: SNTP has not set the clock yet */
  return (double)tv.tv_sec * 1000.0 + (double)(tv.tv_usec / 1000);
}

void jw_clock_sync_start(void) {
  static bool started;
  if (started) return;
  started = true;
#if ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(5, 1, 0)
  esp_sntp_setoperatingmode(ESP_SNTP_OPMODE_POLL);
  esp_sntp_setservername(0, CONFIG_JERRYWATT_SNTP_SERVER);
  esp_sntp_init();
#else
  sntp_setoperatingmode(SNTP_OPMODE_POLL);
  sntp_setservername(0, CONFIG_JERRYWATT_SNTP_SERVER);
  sntp_init();
#endif
}

static void fire(void *arg) {
  jw_event_t ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = JW_EV_TIMER;
  ev.a = (int32_t)(intptr_t)arg;
  jw_queue_post(&ev);
}

/* Called from the JS task only, so the table needs no lock. */
int32_t jw_timer_start(uint32_t ms, bool repeat) {
  for (int i = 0; i < JW_TIMERS_MAX; i++) {
    if (slots[i].id != 0) continue;
    int32_t id = next_id++;
    if (next_id <= 0) next_id = 1;
    esp_timer_create_args_t args = {.callback = fire, .arg = (void *)(intptr_t)id, .dispatch_method = ESP_TIMER_TASK, .name = "js"};
    if (esp_timer_create(&args, &slots[i].h) != ESP_OK) return -1;
    uint64_t us = (uint64_t)(ms ? ms : 1) * 1000u;
    esp_err_t err = repeat ? esp_timer_start_periodic(slots[i].h, us) : esp_timer_start_once(slots[i].h, us);
    if (err != ESP_OK) {
      esp_timer_delete(slots[i].h);
      return -1;
    }
    slots[i].id = id;
    return id;
  }
  return -1;
}

void jw_timer_stop(int32_t id) {
  for (int i = 0; i < JW_TIMERS_MAX; i++) {
    if (slots[i].id == id && id != 0) {
      esp_timer_stop(slots[i].h); /* fails harmlessly when a one-shot already fired */
      esp_timer_delete(slots[i].h);
      slots[i].id = 0;
    }
  }
}
