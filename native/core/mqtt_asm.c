#include <stdlib.h>
#include <string.h>
#include "jw_mqtt_asm.h"

void jw_asm_init(jw_mqtt_asm_t *a, uint32_t max_bytes) {
  memset(a, 0, sizeof(*a));
  a->max_bytes = max_bytes;
}

void jw_asm_reset(jw_mqtt_asm_t *a) {
  free(a->buf);
  a->buf = NULL;
  a->total = a->received = 0;
  a->skipping = 0;
}

static void set_topic(jw_mqtt_asm_t *a, const char *topic, size_t len) {
  if (len > JW_ASM_TOPIC_MAX) len = JW_ASM_TOPIC_MAX;
  if (topic) memcpy(a->topic, topic, len);
  a->topic[topic ? len : 0] = '\0';
}

jw_asm_result_t jw_asm_feed(jw_mqtt_asm_t *a, const char *topic, size_t topic_len, const uint8_t *data, size_t data_len,
                            size_t offset, size_t total, uint8_t flags) {
  if (offset == 0) {
    jw_asm_reset(a); /* a new message abandons any unfinished one */
    set_topic(a, topic, topic_len);
    a->flags = flags;
    a->total = (uint32_t)total;
    if (total > a->max_bytes) {
      a->skipping = 1;
      a->received = (uint32_t)data_len;
      if (a->received >= a->total) a->skipping = 0;
      return JW_ASM_OVERSIZE;
    }
    /* +1 so an empty payload still yields a non-NULL buffer. */
    a->buf = malloc(total + 1);
    if (a->buf == NULL) {
      a->skipping = 1;
      a->received = (uint32_t)data_len;
      return JW_ASM_NO_MEMORY;
    }
  } else if (a->skipping) {
    a->received += (uint32_t)data_len;
    if (a->received >= a->total) a->skipping = 0;
    return JW_ASM_SKIPPED;
  } else if (a->buf == NULL || offset != a->received || total != a->total) {
    jw_asm_reset(a);
    return JW_ASM_BAD_FRAGMENT;
  }
  if (data_len > a->total - a->received) {
    jw_asm_reset(a);
    return JW_ASM_BAD_FRAGMENT;
  }
  if (data_len) memcpy(a->buf + a->received, data, data_len);
  a->received += (uint32_t)data_len;
  return a->received == a->total ? JW_ASM_COMPLETE : JW_ASM_PENDING;
}

uint8_t *jw_asm_take(jw_mqtt_asm_t *a, uint32_t *len) {
  uint8_t *p = a->buf;
  *len = a->total;
  a->buf = NULL;
  a->total = a->received = 0;
  return p;
}
