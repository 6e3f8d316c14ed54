#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jw_mqtt_asm.h"

void jw_asm_init(jw_mqtt_asm_t *a, uint32_t max_bytes, jw_budget_t *budget) {
  memset(a, 0, sizeof(*a));
  a->max_bytes = max_bytes;
  a->budget = budget;
}

void jw_asm_reset(jw_mqtt_asm_t *a) {
  if (a->buf && a->budget) jw_budget_give(a->budget, a->total);
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

/* The rest of this message's fragments are counted, not stored. */
static jw_asm_result_t skip(jw_mqtt_asm_t *a, size_t data_len, jw_asm_result_t why) {
  a->skipping = 1;
  a->received = (uint32_t)data_len;
  if (a->received >= a->total) a->skipping = 0;
  return why;
}

jw_asm_result_t jw_asm_feed(jw_mqtt_asm_t *a, const char *topic, size_t topic_len, const uint8_t *data, size_t data_len,
                            size_t offset, size_t total, uint8_t flags) {
  if (offset == 0) {
    jw_asm_reset(a); /* a new message abandons any unfinished one */
    set_topic(a, topic, topic_len);
    a->flags = flags;
    a->total = (uint32_t)total;
    if (total > a->max_bytes) return skip(a, data_len, JW_ASM_OVERSIZE);
    /* Taken before the allocation, so a flood is refused before it costs heap. */
    if (a->budget && !jw_budget_take(a->budget, (uint32_t)total)) return skip(a, data_len, JW_ASM_QUEUE_FULL);
    /* +1 so an empty payload still yields a non-NULL buffer. */
    a->buf = malloc(total + 1);
    if (a->buf == NULL) {
      if (a->budget) jw_budget_give(a->budget, (uint32_t)total);
      return skip(a, data_len, JW_ASM_NO_MEMORY);
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

void jw_asm_take_event(jw_mqtt_asm_t *a, jw_event_t *ev) {
  ev->kind = JW_EV_MQTT_MESSAGE;
  ev->flags = a->flags;
  ev->text = strdup(a->topic);
  ev->data = a->buf;
  ev->len = a->total;
  ev->budget = a->budget;
  ev->budgeted = a->budget ? a->total : 0;
  a->buf = NULL; /* the buffer and its charge now belong to the event */
  a->total = a->received = 0;
}

bool jw_asm_report(jw_asm_result_t r, const jw_mqtt_asm_t *a, char *out, size_t out_len) {
  unsigned n = (unsigned)a->total;
  switch (r) {
    case JW_ASM_OVERSIZE: snprintf(out, out_len, "oversize %s %u", a->topic, n); return true;
    case JW_ASM_QUEUE_FULL: snprintf(out, out_len, "dropped %s %u queue-full", a->topic, n); return true;
    case JW_ASM_NO_MEMORY: snprintf(out, out_len, "no memory for %s %u", a->topic, n); return true;
    case JW_ASM_BAD_FRAGMENT: snprintf(out, out_len, "fragment out of sequence: message dropped"); return true;
    default: return false;
  }
}
