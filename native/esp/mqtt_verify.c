#include <stddef.h>
#include "mqtt_verify.h"

jw_mqtt_verify_t jw_mqtt_verify(bool tls, const char *ca_pem) {
  if (!tls) return JW_VERIFY_NONE;
  return ca_pem != NULL && ca_pem[0] != '\0' ? JW_VERIFY_CA : JW_VERIFY_BUNDLE;
}
