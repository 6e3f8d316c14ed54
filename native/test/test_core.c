/* Unit tests of the portable core: event ring, timers, reassembly, app image, backoff, crypto. */
#include <stdlib.h>
#include <string.h>
#include "jw_app_image.h"
#include "jw_crc32.h"
#include "jw_crypto.h"
#include "jw_events.h"
#include "jw_fault.h"
#include "jw_mqtt.h"
#include "jw_mqtt_asm.h"
#include "jw_test.h"
#include "jw_timers.h"

static void ring_fifo_and_drop_when_full(void) {
  jw_event_t slots[3];
  jw_ring_t r;
  jw_ring_init(&r, slots, 3);
  for (int i = 0; i < 4; i++) {
    jw_event_t ev = {.kind = JW_EV_TIMER, .a = i, .text = strdup("x")};
    bool ok = jw_ring_push(&r, &ev);
    CHECK(ok == (i < 3));
    CHECK(ev.text == NULL); /* ownership taken (stored or released) either way */
  }
  CHECK(r.dropped == 1);
  jw_event_t out;
  for (int i = 0; i < 3; i++) {
    CHECK(jw_ring_pop(&r, &out));
    CHECK(out.a == i);
    CHECK(out.text != NULL && strcmp(out.text, "x") == 0);
    jw_event_release(&out);
  }
  CHECK(!jw_ring_pop(&r, &out));
}

static void ring_wraps_around(void) {
  jw_event_t slots[2];
  jw_ring_t r;
  jw_ring_init(&r, slots, 2);
  jw_event_t out;
  for (int i = 0; i < 7; i++) {
    jw_event_t ev = {.kind = JW_EV_TIMER, .a = i};
    CHECK(jw_ring_push(&r, &ev));
    CHECK(jw_ring_pop(&r, &out));
    CHECK(out.a == i);
  }
  CHECK(r.count == 0 && r.dropped == 0);
}

static int fired[8], nfired;
static void on_fire(int32_t id, void *u) {
  (void)u;
  if (nfired < 8) fired[nfired++] = id;
}

static void timers_one_shot_and_repeat(void) {
  jw_timers_t t;
  jw_timers_init(&t);
  nfired = 0;
  int32_t a = jw_timers_add(&t, 1000, 100, false);
  int32_t b = jw_timers_add(&t, 1000, 30, true);
  CHECK(a > 0 && b > 0 && a != b);
  CHECK(jw_timers_next_due(&t) == 1030);
  CHECK(jw_timers_run_due(&t, 1029, on_fire, NULL) == 0);
  CHECK(jw_timers_run_due(&t, 1030, on_fire, NULL) == 1 && fired[0] == b);
  CHECK(jw_timers_run_due(&t, 1100, on_fire, NULL) == 2); /* a, and b once (missed periods skipped) */
  CHECK(jw_timers_next_due(&t) == 1120);
  CHECK(jw_timers_run_due(&t, 1200, on_fire, NULL) == 1); /* a is gone */
  CHECK(jw_timers_remove(&t, b));
  CHECK(!jw_timers_remove(&t, b));
  CHECK(jw_timers_next_due(&t) == UINT64_MAX);
}

static void timers_table_full(void) {
  jw_timers_t t;
  jw_timers_init(&t);
  for (int i = 0; i < JW_TIMERS_MAX; i++) CHECK(jw_timers_add(&t, 0, 10, false) > 0);
  CHECK(jw_timers_add(&t, 0, 10, false) == -1);
}

static void asm_reassembles_fragments(void) {
  jw_mqtt_asm_t a;
  jw_asm_init(&a, 10, NULL);
  const uint8_t msg[] = "0123456789";
  CHECK(jw_asm_feed(&a, "t/x", 3, msg, 4, 0, 10, 1) == JW_ASM_PENDING);
  CHECK(jw_asm_feed(&a, NULL, 0, msg + 4, 4, 4, 10, 0) == JW_ASM_PENDING);
  CHECK(jw_asm_feed(&a, NULL, 0, msg + 8, 2, 8, 10, 0) == JW_ASM_COMPLETE);
  CHECK_STR(a.topic, "t/x");
  CHECK(a.flags == 1);
  jw_event_t ev = {.a = 7};
  jw_asm_take_event(&a, &ev);
  CHECK(ev.kind == JW_EV_MQTT_MESSAGE && ev.a == 7 && ev.flags == 1 && ev.budget == NULL);
  CHECK(ev.len == 10 && memcmp(ev.data, msg, 10) == 0);
  CHECK_STR(ev.text, "t/x");
  CHECK(a.buf == NULL);
  jw_event_release(&ev);
  CHECK(jw_asm_feed(&a, "e", 1, NULL, 0, 0, 0, 0) == JW_ASM_COMPLETE); /* empty payload */
  jw_asm_take_event(&a, &ev);
  CHECK(ev.data != NULL && ev.len == 0);
  jw_event_release(&ev);
}

static void asm_oversize_is_never_allocated(void) {
  jw_mqtt_asm_t a;
  jw_asm_init(&a, 8, NULL);
  uint8_t chunk[4] = {0};
  CHECK(jw_asm_feed(&a, "big", 3, chunk, 4, 0, 12, 0) == JW_ASM_OVERSIZE);
  CHECK(a.buf == NULL);
  CHECK_STR(a.topic, "big");
  char why[JW_ASM_REPORT_MAX];
  CHECK(jw_asm_report(JW_ASM_OVERSIZE, &a, why, sizeof why));
  CHECK_STR(why, "oversize big 12");
  CHECK(jw_asm_feed(&a, NULL, 0, chunk, 4, 4, 12, 0) == JW_ASM_SKIPPED);
  CHECK(!jw_asm_report(JW_ASM_SKIPPED, &a, why, sizeof why)); /* reported once, on the first fragment */
  CHECK(jw_asm_feed(&a, NULL, 0, chunk, 4, 8, 12, 0) == JW_ASM_SKIPPED);
  CHECK(a.buf == NULL && !a.skipping);
  /* the next message goes through */
  CHECK(jw_asm_feed(&a, "ok", 2, chunk, 4, 0, 4, 0) == JW_ASM_COMPLETE);
  jw_asm_reset(&a);
}

static void asm_bad_sequence_abandons(void) {
  jw_mqtt_asm_t a;
  jw_asm_init(&a, 100, NULL);
  uint8_t chunk[4] = {0};
  CHECK(jw_asm_feed(&a, NULL, 0, chunk, 4, 4, 8, 0) == JW_ASM_BAD_FRAGMENT); /* no start */
  CHECK(jw_asm_feed(&a, "t", 1, chunk, 4, 0, 8, 0) == JW_ASM_PENDING);
  CHECK(jw_asm_feed(&a, NULL, 0, chunk, 4, 6, 8, 0) == JW_ASM_BAD_FRAGMENT); /* gap */
  CHECK(a.buf == NULL);
  CHECK(jw_asm_feed(&a, "t", 1, chunk, 4, 0, 6, 0) == JW_ASM_PENDING);
  CHECK(jw_asm_feed(&a, NULL, 0, chunk, 4, 4, 6, 0) == JW_ASM_BAD_FRAGMENT); /* overruns total */
}

static void budget_refuses_over_limit_and_gives_back(void) {
  jw_budget_t b;
  jw_budget_init(&b, 100);
  CHECK(jw_budget_take(&b, 60));
  CHECK(jw_budget_take(&b, 40));
  CHECK(!jw_budget_take(&b, 1));
  CHECK(!jw_budget_take(&b, 0xFFFFFFFFu)); /* no wrap-around */
  CHECK(jw_budget_used(&b) == 100 && jw_budget_dropped(&b) == 2);
  jw_budget_give(&b, 60);
  CHECK(jw_budget_used(&b) == 40);
  jw_budget_set_limit(&b, 30); /* lowered under what is taken: nothing more until it drains */
  CHECK(!jw_budget_take(&b, 1));
  jw_budget_give(&b, 40);
  CHECK(jw_budget_take(&b, 30));
}

/* Two clients share one budget; a message over it is refused before allocation and reported; its bytes come back
 * when the event holding it is released: consumed, dropped by a full ring, or abandoned half-way. */
static void asm_queue_budget_is_shared_and_released(void) {
  jw_budget_t b;
  jw_budget_init(&b, 100);
  jw_mqtt_asm_t a1, a2;
  jw_asm_init(&a1, 64, &b);
  jw_asm_init(&a2, 64, &b);
  uint8_t chunk[64];
  memset(chunk, 'x', sizeof chunk);
  CHECK(jw_asm_feed(&a1, "t/a", 3, chunk, 30, 0, 60, 0) == JW_ASM_PENDING);
  CHECK(jw_budget_used(&b) == 60); /* taken for the whole message at its first fragment */
  CHECK(jw_asm_feed(&a2, "t/b", 3, chunk, 20, 0, 50, 0) == JW_ASM_QUEUE_FULL);
  CHECK(a2.buf == NULL);
  char why[JW_ASM_REPORT_MAX];
  CHECK(jw_asm_report(JW_ASM_QUEUE_FULL, &a2, why, sizeof why));
  CHECK_STR(why, "dropped t/b 50 queue-full");
  CHECK(jw_asm_feed(&a2, NULL, 0, chunk, 30, 20, 50, 0) == JW_ASM_SKIPPED);
  CHECK(jw_asm_feed(&a1, NULL, 0, chunk, 30, 30, 60, 0) == JW_ASM_COMPLETE);
  CHECK(jw_asm_feed(&a2, "t/c", 3, chunk, 40, 0, 40, 0) == JW_ASM_COMPLETE); /* fits exactly: 100 */
  CHECK(jw_budget_dropped(&b) == 1);

  jw_event_t slots[1], e1 = {.a = 1}, e2 = {.a = 2}, out;
  jw_ring_t r;
  jw_ring_init(&r, slots, 1);
  jw_asm_take_event(&a1, &e1);
  jw_asm_take_event(&a2, &e2);
  CHECK(e1.budget == &b && e1.budgeted == 60 && e2.budgeted == 40);
  CHECK(jw_ring_push(&r, &e1));
  CHECK(!jw_ring_push(&r, &e2)); /* ring full: dropped, its bytes come back */
  CHECK(jw_budget_used(&b) == 60);
  CHECK(jw_ring_pop(&r, &out) && out.len == 60);
  CHECK(jw_budget_used(&b) == 60); /* still held while JS has it */
  jw_event_release(&out);          /* consumed */
  CHECK(jw_budget_used(&b) == 0);

  CHECK(jw_asm_feed(&a1, "t/d", 3, chunk, 10, 0, 64, 0) == JW_ASM_PENDING);
  CHECK(jw_asm_feed(&a1, NULL, 0, chunk, 10, 30, 64, 0) == JW_ASM_BAD_FRAGMENT); /* abandoned */
  CHECK(jw_budget_used(&b) == 0);
  CHECK(jw_asm_feed(&a1, "t/e", 3, chunk, 10, 0, 64, 0) == JW_ASM_PENDING);
  jw_asm_reset(&a1); /* disconnect or end */
  CHECK(jw_budget_used(&b) == 0);
}

/* A flood at the device's defaults (8 KB messages, 32 queue slots, 24 KB budget) holds at most 24 KB of payloads,
 * not 256 KB; every refused message is reported; consuming frees room for the next. */
static void asm_flood_stays_within_budget(void) {
  enum { MAX_MSG = 8192, SLOTS = 32, BUDGET = 24 * 1024, FLOOD = 200 };
  static uint8_t big[MAX_MSG];
  jw_budget_t b;
  jw_budget_init(&b, BUDGET);
  jw_mqtt_asm_t a;
  jw_asm_init(&a, MAX_MSG, &b);
  jw_event_t slots[SLOTS], ev;
  jw_ring_t r;
  jw_ring_init(&r, slots, SLOTS);
  int queued = 0, refused = 0;
  for (int i = 0; i < FLOOD; i++) {
    /* in 2 KB fragments, as esp-mqtt delivers with CONFIG_MQTT_BUFFER_SIZE=2048 */
    for (uint32_t off = 0; off < MAX_MSG; off += 2048) {
      jw_asm_result_t res = jw_asm_feed(&a, off ? NULL : "esp/dev1/cmd", off ? 0 : 12, big + off, 2048, off, MAX_MSG, 1);
      char why[JW_ASM_REPORT_MAX];
      if (res == JW_ASM_COMPLETE) {
        jw_event_t m = {.a = 1};
        jw_asm_take_event(&a, &m);
        queued += jw_ring_push(&r, &m);
      } else if (res == JW_ASM_QUEUE_FULL) {
        refused++;
        CHECK(jw_asm_report(res, &a, why, sizeof why));
        CHECK(i < 3 || strcmp(why, "dropped esp/dev1/cmd 8192 queue-full") == 0);
      }
    }
  }
  uint32_t held = 0;
  for (uint32_t k = 0; k < r.count; k++) held += r.slots[(r.head + k) % r.cap].len;
  CHECK(queued == BUDGET / MAX_MSG && refused == FLOOD - queued);
  CHECK(held == jw_budget_used(&b) && held <= BUDGET);
  CHECK(jw_budget_dropped(&b) == (uint32_t)refused);
  CHECK(jw_ring_pop(&r, &ev));
  jw_event_release(&ev); /* JS consumed one: room for one more */
  CHECK(jw_asm_feed(&a, "t", 1, big, MAX_MSG, 0, MAX_MSG, 0) == JW_ASM_COMPLETE);
  CHECK(jw_budget_used(&b) == BUDGET);
  jw_asm_reset(&a); /* given back once, not again by a later release */
  CHECK(jw_budget_used(&b) == BUDGET - MAX_MSG);
  while (jw_ring_pop(&r, &ev)) jw_event_release(&ev);
  CHECK(jw_budget_used(&b) == 0);
}

static void crc32_known_value(void) {
  CHECK(jw_crc32(0, (const uint8_t *)"123456789", 9) == 0xCBF43926u);
}

static void sha256_known_value(void) {
  static const uint8_t want[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                   0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  uint8_t out[32];
  jw_sha256((const uint8_t *)"abc", 3, out);
  CHECK(memcmp(out, want, 32) == 0);
  jw_sha256_t *ctx = jw_sha256_begin();
  jw_sha256_update(ctx, (const uint8_t *)"a", 1);
  jw_sha256_update(ctx, (const uint8_t *)"bc", 2);
  jw_sha256_finish(ctx, out);
  CHECK(memcmp(out, want, 32) == 0);
}

#include "ecdsa_vectors.h"

static void ecdsa_verify_accepts_and_refuses(void) {
  CHECK(jw_ecdsa_p256_verify(SPKI, sizeof SPKI, DIGEST, sizeof DIGEST, SIG, sizeof SIG));
  uint8_t d2[32];
  memcpy(d2, DIGEST, 32);
  d2[0] ^= 1;
  CHECK(!jw_ecdsa_p256_verify(SPKI, sizeof SPKI, d2, 32, SIG, sizeof SIG));
  uint8_t s2[sizeof SIG];
  memcpy(s2, SIG, sizeof SIG);
  s2[sizeof SIG - 2] ^= 0x10;
  CHECK(!jw_ecdsa_p256_verify(SPKI, sizeof SPKI, DIGEST, 32, s2, sizeof s2));
  CHECK(!jw_ecdsa_p256_verify(SPKI_K1, sizeof SPKI_K1, DIGEST, 32, SIG, sizeof SIG)); /* wrong curve */
  CHECK(!jw_ecdsa_p256_verify(SPKI, 40, DIGEST, 32, SIG, sizeof SIG));
  CHECK(!jw_ecdsa_p256_verify(SPKI, sizeof SPKI, DIGEST, 31, SIG, sizeof SIG));
}

static void backoff_doubles_and_caps(void) {
  CHECK(jw_fault_backoff_ms(0, 1000, 60000) == 0);
  CHECK(jw_fault_backoff_ms(1, 1000, 60000) == 1000);
  CHECK(jw_fault_backoff_ms(2, 1000, 60000) == 2000);
  CHECK(jw_fault_backoff_ms(4, 1000, 60000) == 8000);
  CHECK(jw_fault_backoff_ms(7, 1000, 60000) == 60000);
  CHECK(jw_fault_backoff_ms(1000, 1000, 60000) == 60000);
}

static void url_parsing(void) {
  char host[64];
  int port;
  bool tls;
  CHECK(jw_mqtt_parse_url("mqtt://127.0.0.1:18830", host, sizeof host, &port, &tls));
  CHECK_STR(host, "127.0.0.1");
  CHECK(port == 18830 && !tls);
  CHECK(jw_mqtt_parse_url("mqtts://broker.example", host, sizeof host, &port, &tls));
  CHECK(port == 8883 && tls);
  CHECK(!jw_mqtt_parse_url("http://x", host, sizeof host, &port, &tls));
  CHECK(!jw_mqtt_parse_url("mqtt://:1", host, sizeof host, &port, &tls));
  CHECK(!jw_mqtt_parse_url("mqtt://h:99999", host, sizeof host, &port, &tls));
}

int jw_t_count, jw_t_failed, jw_t_case_failed;
void run_platform_tests(void);
void run_app_boot_tests(void);

int main(void) {
  printf("TAP version 13\n");
  TEST(ring_fifo_and_drop_when_full);
  TEST(ring_wraps_around);
  TEST(timers_one_shot_and_repeat);
  TEST(timers_table_full);
  TEST(asm_reassembles_fragments);
  TEST(asm_oversize_is_never_allocated);
  TEST(asm_bad_sequence_abandons);
  TEST(budget_refuses_over_limit_and_gives_back);
  TEST(asm_queue_budget_is_shared_and_released);
  TEST(asm_flood_stays_within_budget);
  TEST(crc32_known_value);
  TEST(sha256_known_value);
  TEST(ecdsa_verify_accepts_and_refuses);
  TEST(backoff_doubles_and_caps);
  TEST(url_parsing);
  run_app_boot_tests();
  run_platform_tests();
  printf("1..%d\n# pass %d\n# fail %d\n", jw_t_count, jw_t_count - jw_t_failed, jw_t_failed);
  return jw_t_failed ? 1 : 0;
}
