/* How an MQTT connection verifies its broker. Pure logic (no ESP-IDF header): mqtt.c applies it to esp-mqtt's
 * configuration, test/firmware runs it on the host. */
#ifndef JW_MQTT_VERIFY_H
#define JW_MQTT_VERIFY_H
#include <stdbool.h>

typedef enum {
  JW_VERIFY_NONE,   /* mqtt:// : no TLS, nothing to verify */
  JW_VERIFY_CA,     /* mqtts:// with the app's CA (the `mqttCa` setting, `flash --ca`) */
  JW_VERIFY_BUNDLE, /* mqtts:// without a CA: ESP-IDF's certificate bundle (esp_crt_bundle_attach) */
} jw_mqtt_verify_t;

/* esp-tls refuses a TLS connection that sets no verification ("No server verification option set"), so TLS
 * without a CA must use the bundle; an empty CA string counts as none. */
jw_mqtt_verify_t jw_mqtt_verify(bool tls, const char *ca_pem);
#endif
