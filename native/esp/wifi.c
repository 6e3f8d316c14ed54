/* Wi-Fi station. Driver events become JW_EV_WIFI; reconnecting is the app's decision (it calls wifiConnect). */
#include <stdlib.h>
#include <string.h>
#include "esp_event.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "jw_clock.h"
#include "jw_events.h"
#include "jw_log.h"
#include "jw_wifi.h"

static volatile jw_wifi_status_t status = JW_WIFI_IDLE;
static bool ready;

static void post(int got_ip, int reason, const char *ip) {
  jw_event_t ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = JW_EV_WIFI;
  ev.a = got_ip;
  ev.b = reason;
  ev.text = ip ? strdup(ip) : NULL;
  jw_queue_post(&ev);
}

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *data) {
  (void)arg;
  if (base == WIFI_EVENT && id == WIFI_EVENT_STA_DISCONNECTED) {
    wifi_event_sta_disconnected_t *d = data;
    status = JW_WIFI_IDLE;
    post(0, d->reason, NULL);
  } else if (base == IP_EVENT && id == IP_EVENT_STA_GOT_IP) {
    ip_event_got_ip_t *e = data;
    char ip[16];
    esp_ip4addr_ntoa(&e->ip_info.ip, ip, sizeof ip);
    status = JW_WIFI_CONNECTED;
    jw_clock_sync_start();
    post(1, 0, ip);
  }
}

static int init_once(void) {
  if (ready) return 0;
  esp_netif_create_default_wifi_sta();
  wifi_init_config_t cfg = WIFI_INIT_CONFIG_DEFAULT();
  if (esp_wifi_init(&cfg) != ESP_OK) return -1;
  esp_event_handler_instance_register(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED, on_event, NULL, NULL);
  esp_event_handler_instance_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_event, NULL, NULL);
  esp_wifi_set_storage(WIFI_STORAGE_RAM); /* credentials live in the settings partition, not in the driver's NVS */
  esp_wifi_set_mode(WIFI_MODE_STA);
  if (esp_wifi_start() != ESP_OK) return -1;
  ready = true;
  return 0;
}

int jw_wifi_connect(const char *ssid, const char *password) {
  if (init_once() != 0) return -1;
  wifi_config_t c;
  memset(&c, 0, sizeof c);
  strncpy((char *)c.sta.ssid, ssid, sizeof c.sta.ssid);
  strncpy((char *)c.sta.password, password, sizeof c.sta.password);
  c.sta.threshold.authmode = password[0] ? WIFI_AUTH_WPA2_PSK : WIFI_AUTH_OPEN;
  esp_wifi_disconnect();
  if (esp_wifi_set_config(WIFI_IF_STA, &c) != ESP_OK) return -1;
  status = JW_WIFI_CONNECTING;
  jw_log(JW_LOG_INFO, "wifi", "connecting to \"%s\"", ssid); /* never the password */
  return esp_wifi_connect() == ESP_OK ? 0 : -1;
}

jw_wifi_status_t jw_wifi_status(void) { return status; }
