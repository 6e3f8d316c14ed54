/* Reassembles an esp-mqtt message delivered over several MQTT_EVENT_DATA events (current_data_offset).
 * A message larger than the limit is never allocated: its fragments are skipped and it is reported once. */
#ifndef JW_MQTT_ASM_H
#define JW_MQTT_ASM_H
#include <stddef.h>
#include <stdint.h>

#define JW_ASM_TOPIC_MAX 256

typedef enum {
  JW_ASM_PENDING = 0, /* fragment stored, more to come */
  JW_ASM_COMPLETE,    /* whole message in take_*() */
  JW_ASM_OVERSIZE,    /* first fragment of a message over the limit: report topic + total; nothing allocated */
  JW_ASM_SKIPPED,     /* a later fragment of an oversize or abandoned message */
  JW_ASM_NO_MEMORY,   /* malloc failed for a message within the limit; dropped */
  JW_ASM_BAD_FRAGMENT /* offset out of sequence: current message abandoned */
} jw_asm_result_t;

typedef struct {
  uint32_t max_bytes;
  char topic[JW_ASM_TOPIC_MAX + 1];
  uint8_t *buf;
  uint32_t total;
  uint32_t received;
  uint8_t skipping;
  uint8_t flags;
} jw_mqtt_asm_t;

void jw_asm_init(jw_mqtt_asm_t *a, uint32_t max_bytes);
/* topic/topic_len only on the first fragment (offset 0), as esp-mqtt gives them. */
jw_asm_result_t jw_asm_feed(jw_mqtt_asm_t *a, const char *topic, size_t topic_len, const uint8_t *data, size_t data_len,
                            size_t offset, size_t total, uint8_t flags);
/* After JW_ASM_COMPLETE: hands over the payload buffer (caller frees) and its length. */
uint8_t *jw_asm_take(jw_mqtt_asm_t *a, uint32_t *len);
void jw_asm_reset(jw_mqtt_asm_t *a);
#endif
