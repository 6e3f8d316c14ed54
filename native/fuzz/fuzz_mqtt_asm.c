/* libFuzzer: MQTT message reassembly (core/mqtt_asm.c) over any sequence of esp-mqtt data events, as a broker or
 * a peer can shape them: fragments in and out of order, totals that change, oversize and over-budget messages,
 * topics of any length. Each event is 8 bytes of the input (offset choice, total, length, topic length, flags)
 * followed by its data. Invariants: the shared queue budget never exceeds its limit, and every byte taken from it
 * is given back once the messages are consumed or abandoned (a leak of budget would starve the device); ASan and
 * LeakSanitizer see the buffers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "jw_mqtt_asm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BYTES 512u
#define BUDGET 1024u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  jw_budget_t budget;
  jw_budget_init(&budget, BUDGET);
  jw_mqtt_asm_t a;
  jw_asm_init(&a, MAX_BYTES, &budget);
  jw_event_t held[4];
  int nheld = 0;
  memset(held, 0, sizeof held);
  size_t at = 0;
  while (size - at >= 8) {
    const uint8_t *e = data + at;
    at += 8;
    size_t total = (size_t)(e[1] | (e[2] << 8)) % 1100u; /* around MAX_BYTES and BUDGET */
    size_t len = e[3] % 200u;
    if (len > size - at) len = size - at;
    size_t topic_len = (size_t)e[4] * 2u;                 /* up to 510: longer than JW_ASM_TOPIC_MAX */
    size_t offset;
    switch (e[0] & 3) {
      case 0: offset = 0; break;                          /* a new message */
      case 1: offset = a.received; break;                 /* the next fragment, in order */
      case 2: offset = (size_t)e[5] * 4u; break;           /* anywhere */
      default: offset = a.received + 1; break;            /* a gap */
    }
    if (e[0] & 4) total = a.total;                        /* keep the message's total */
    char *topic = NULL;
    if (offset == 0) {
      topic = malloc(topic_len ? topic_len : 1);
      for (size_t i = 0; i < topic_len; i++) topic[i] = (char)(e[6] + i);
    }
    jw_asm_result_t r = jw_asm_feed(&a, topic, topic_len, data + at, len, offset, total, e[7]);
    free(topic);
    at += len;
    char report[JW_ASM_REPORT_MAX];
    if (jw_asm_report(r, &a, report, sizeof report) && memchr(report, '\0', sizeof report) == NULL) abort();
    if (r == JW_ASM_COMPLETE) {
      jw_event_t ev;
      memset(&ev, 0, sizeof ev);
      jw_asm_take_event(&a, &ev);
      if (ev.data == NULL || ev.text == NULL || ev.len > MAX_BYTES) abort();
      /* Keep a few messages queued (their bytes stay taken), release the rest as the JS task would. */
      if (nheld < 4 && (e[0] & 8)) held[nheld++] = ev;
      else jw_event_release(&ev);
    }
    if (jw_budget_used(&budget) > BUDGET) abort();
  }
  jw_asm_reset(&a);
  for (int i = 0; i < nheld; i++) jw_event_release(&held[i]);
  if (jw_budget_used(&budget) != 0) abort(); /* every byte given back */
  return 0;
}
