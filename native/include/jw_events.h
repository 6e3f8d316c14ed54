/* The event queue: every callback source (Wi-Fi, MQTT, timers) posts here; the one JS task drains it.
 * The ring is plain C (unit-tested on the host); the platform adds the lock and the wake-up. */
#ifndef JW_EVENTS_H
#define JW_EVENTS_H
#include <stdbool.h>
#include <stdint.h>
#include "jw_msg_budget.h"

typedef enum {
  JW_EV_NONE = 0,
  JW_EV_TIMER,        /* a = timer id */
  JW_EV_WIFI,         /* a = 1 got_ip, 0 disconnected; b = reason; text = ip */
  JW_EV_MQTT_CONNECT, /* a = client; b = session present */
  JW_EV_MQTT_MESSAGE, /* a = client; flags = qos | retain << 2 | dup << 3; text = topic; data/len = payload */
  JW_EV_MQTT_CLOSE,   /* a = client; text = reason */
  JW_EV_MQTT_ERROR,   /* a = client; text = message */
  JW_EV_QUIT          /* host runner: stop the loop */
} jw_event_kind_t;

#define JW_EV_FLAG_RETAIN 0x04u
#define JW_EV_FLAG_DUP 0x08u

typedef struct {
  uint8_t kind;
  uint8_t flags;
  int32_t a;
  int32_t b;
  char *text;    /* owned by the event: malloc'd by the producer, freed by the consumer */
  uint8_t *data; /* owned likewise */
  uint32_t len;
  jw_budget_t *budget; /* NULL, or the budget `budgeted` bytes of data were taken from */
  uint32_t budgeted;
} jw_event_t;

/* Frees what the event owns (text, data), gives its bytes back to its budget, and clears the pointers. Every
 * path that ends an event (consumed by JS, dropped by a full ring, discarded) goes through here. */
void jw_event_release(jw_event_t *ev);

/* Fixed-capacity ring; no allocation after init; not thread-safe by itself. */
typedef struct {
  jw_event_t *slots;
  uint32_t cap;
  uint32_t head;
  uint32_t count;
  uint32_t dropped; /* events refused because the ring was full */
} jw_ring_t;

void jw_ring_init(jw_ring_t *r, jw_event_t *storage, uint32_t cap);
/* Copies *ev in. On a full ring the event is released, counted in `dropped`, and false is returned. */
bool jw_ring_push(jw_ring_t *r, jw_event_t *ev);
bool jw_ring_pop(jw_ring_t *r, jw_event_t *out);

/* The platform queue (native/esp/queue.c, native/posix/queue.c): the ring behind a lock, with a wake-up. */
bool jw_queue_init(uint32_t capacity);
/* Any task or thread. Takes ownership of the event's text/data, also when it returns false (full). */
bool jw_queue_post(jw_event_t *ev);
/* The JS task. Returns false on timeout. */
bool jw_queue_wait(jw_event_t *out, uint32_t timeout_ms);
uint32_t jw_queue_dropped(void);

#endif
