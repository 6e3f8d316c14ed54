/* The host is always on the network: a connect reports got_ip at once. */
#include <stdlib.h>
#include <string.h>
#include "jw_events.h"
#include "jw_log.h"
#include "jw_wifi.h"

static jw_wifi_status_t status = JW_WIFI_IDLE;

int jw_wifi_connect(const char *ssid, const char *password) {
  (void)password;
  jw_log(JW_LOG_INFO, "wifi", "connect to \"%s\" (host: simulated)", ssid);
  status = JW_WIFI_CONNECTED;
  jw_event_t ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = JW_EV_WIFI;
  ev.a = 1;
  ev.text = strdup("127.0.0.1");
  jw_queue_post(&ev);
  return 0;
}

jw_wifi_status_t jw_wifi_status(void) { return status; }
