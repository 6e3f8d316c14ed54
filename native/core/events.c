#include <stdlib.h>
#include <string.h>
#include "jw_events.h"

void jw_event_release(jw_event_t *ev) {
  free(ev->text);
  free(ev->data);
  ev->text = NULL;
  ev->data = NULL;
  ev->len = 0;
  if (ev->budget) jw_budget_give(ev->budget, ev->budgeted);
  ev->budget = NULL;
  ev->budgeted = 0;
}

void jw_ring_init(jw_ring_t *r, jw_event_t *storage, uint32_t cap) {
  r->slots = storage;
  r->cap = cap;
  r->head = 0;
  r->count = 0;
  r->dropped = 0;
}

bool jw_ring_push(jw_ring_t *r, jw_event_t *ev) {
  if (r->count == r->cap) {
    /* Full: the producer never blocks (it may be the MQTT or Wi-Fi task); the event is dropped and counted. */
    jw_event_release(ev);
    r->dropped++;
    return false;
  }
  r->slots[(r->head + r->count) % r->cap] = *ev;
  r->count++;
  ev->text = NULL;
  ev->data = NULL;
  ev->budget = NULL; /* the charge moved into the ring with the data */
  ev->budgeted = 0;
  return true;
}

bool jw_ring_pop(jw_ring_t *r, jw_event_t *out) {
  if (r->count == 0) return false;
  *out = r->slots[r->head];
  memset(&r->slots[r->head], 0, sizeof(jw_event_t));
  r->head = (r->head + 1) % r->cap;
  r->count--;
  return true;
}
