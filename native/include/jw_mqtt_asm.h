/* Reassembles an esp-mqtt message delivered over several MQTT_EVENT_DATA events (current_data_offset).
 * A message is never allocated when it is larger than the limit, or when its bytes would take the shared queue
 * budget (jw_msg_budget.h) over its limit: its fragments are skipped and it is reported once. */
#ifndef JW_MQTT_ASM_H
#define JW_MQTT_ASM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "jw_events.h"
#include "jw_msg_budget.h"

#define JW_ASM_TOPIC_MAX 256
#define JW_ASM_REPORT_MAX (JW_ASM_TOPIC_MAX + 48) /* jw_asm_report text, with its NUL */

typedef enum {
  JW_ASM_PENDING = 0, /* fragment stored, more to come */
  JW_ASM_COMPLETE,    /* whole message in take_*() */
  JW_ASM_OVERSIZE,    /* first fragment of a message over the limit: report topic + total; nothing allocated */
  JW_ASM_SKIPPED,     /* a later fragment of an oversize, over-budget or abandoned message */
  JW_ASM_NO_MEMORY,   /* malloc failed for a message within the limit; dropped */
  JW_ASM_BAD_FRAGMENT, /* offset out of sequence: current message abandoned */
  JW_ASM_QUEUE_FULL   /* first fragment of a message the queue budget has no room for: report; nothing allocated */
} jw_asm_result_t;

typedef struct {
  uint32_t max_bytes;
  jw_budget_t *budget; /* NULL = none; else the message's bytes are taken from it before allocating */
  char topic[JW_ASM_TOPIC_MAX + 1];
  uint8_t *buf;
  uint32_t total;
  uint32_t received;
  uint8_t skipping;
  uint8_t flags;
} jw_mqtt_asm_t;

void jw_asm_init(jw_mqtt_asm_t *a, uint32_t max_bytes, jw_budget_t *budget);
/* topic/topic_len only on the first fragment (offset 0), as esp-mqtt gives them. */
jw_asm_result_t jw_asm_feed(jw_mqtt_asm_t *a, const char *topic, size_t topic_len, const uint8_t *data, size_t data_len,
                            size_t offset, size_t total, uint8_t flags);
/* After JW_ASM_COMPLETE: fills a JW_EV_MQTT_MESSAGE event (flags, topic copy, payload, length) and moves the
 * budget charge into it; jw_event_release gives it back once the message has been consumed or dropped. Sets
 * kind, flags, text, data, len, budget and budgeted; the caller sets `a` (client). */
void jw_asm_take_event(jw_mqtt_asm_t *a, jw_event_t *ev);
/* The onError text for a message that was not delivered (oversize, over the queue budget, no memory, out of
 * sequence), from the topic and size of the message just fed; false when `r` needs no report. */
bool jw_asm_report(jw_asm_result_t r, const jw_mqtt_asm_t *a, char *out, size_t out_len);
/* Abandons an unfinished message (frees it, gives its bytes back). */
void jw_asm_reset(jw_mqtt_asm_t *a);
#endif
