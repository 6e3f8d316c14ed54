#include "jw_js.h"
#include "jw_wifi.h"

static jerry_value_t on_wifi;

JW_HANDLER(jw_b_wifi_connect) {
  (void)call;
  char ssid[33], pass[65];
  if (!jw_is_string(args, argc, 0) || !jw_is_string(args, argc, 1)) return jw_type_error("wifiConnect", "ssid and password must be strings");
  if (!jw_str(args[0], ssid, sizeof ssid) || !jw_str(args[1], pass, sizeof pass))
    return jw_range_error("wifiConnect", "ssid over 32 bytes or password over 64");
  jw_wifi_connect(ssid, pass);
  return jerry_undefined();
}

JW_HANDLER(jw_b_wifi_on) {
  (void)call;
  if (!jw_is_function(args, argc, 0)) return jw_type_error("wifiOn", "cb must be a function");
  jerry_value_free(on_wifi);
  on_wifi = jerry_value_copy(args[0]);
  return jerry_undefined();
}

JW_HANDLER(jw_b_wifi_status) {
  (void)call, (void)args, (void)argc;
  jw_wifi_status_t s = jw_wifi_status();
  return jerry_string_sz(s == JW_WIFI_CONNECTED ? "connected" : s == JW_WIFI_CONNECTING ? "connecting" : "idle");
}

void jw_wifi_dispatch(int got_ip, int reason, const char *ip) {
  if (!on_wifi) return;
  jerry_value_t e = jerry_object();
  jw_set_str(e, "event", got_ip ? "got_ip" : "disconnected");
  if (got_ip && ip) jw_set_str(e, "ip", ip);
  if (!got_ip) jw_set_num(e, "reason", reason);
  jw_vm_call(on_wifi, &e, 1);
  jerry_value_free(e);
}

void jw_wifi_release(void);
void jw_wifi_release(void) {
  jerry_value_free(on_wifi);
  on_wifi = 0;
}
