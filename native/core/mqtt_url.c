#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jw_mqtt.h"

bool jw_mqtt_parse_url(const char *url, char *host, size_t host_len, int *port, bool *tls) {
  const char *p;
  if (url == NULL) return false;
  if (strncmp(url, "mqtt://", 7) == 0) {
    *tls = false;
    *port = 1883;
    p = url + 7;
  } else if (strncmp(url, "mqtts://", 8) == 0) {
    *tls = true;
    *port = 8883;
    p = url + 8;
  } else {
    return false;
  }
  size_t n = strcspn(p, ":/");
  if (n == 0 || n >= host_len) return false;
  memcpy(host, p, n);
  host[n] = '\0';
  if (p[n] == ':') {
    char *end;
    long v = strtol(p + n + 1, &end, 10);
    if (end == p + n + 1 || v <= 0 || v > 65535 || (*end != '\0' && *end != '/')) return false;
    *port = (int)v;
  }
  return true;
}
