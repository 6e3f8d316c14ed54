/* libFuzzer: the broker URL parser (core/mqtt_url.c), which reads the brokerUrl setting. The host buffer is
 * exactly host_len bytes (1..64, from the input), so ASan sees any write past it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "jw_mqtt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  size_t host_len = 1 + data[0] % 64;
  char *url = malloc(size); /* the rest of the input, NUL-terminated */
  memcpy(url, data + 1, size - 1);
  url[size - 1] = '\0';
  char *host = malloc(host_len);
  int port = -1;
  bool tls = false;
  if (jw_mqtt_parse_url(url, host, host_len, &port, &tls)) {
    size_t n = strnlen(host, host_len);
    if (n == 0 || n >= host_len) abort();                 /* a non-empty host, terminated inside its buffer */
    if (port < 1 || port > 65535) abort();
    if (strncmp(url, tls ? "mqtts://" : "mqtt://", tls ? 8 : 7) != 0) abort();
    if (strchr(host, ':') || strchr(host, '/')) abort();
  }
  free(host);
  free(url);
  return 0;
}
