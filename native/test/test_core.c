/* Unit tests of the portable core: event ring, timers, reassembly, app image, boot rule, backoff, crypto. */
#include <stdlib.h>
#include <string.h>
#include "jw_app_boot.h"
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
  jw_asm_init(&a, 10);
  const uint8_t msg[] = "0123456789";
  CHECK(jw_asm_feed(&a, "t/x", 3, msg, 4, 0, 10, 1) == JW_ASM_PENDING);
  CHECK(jw_asm_feed(&a, NULL, 0, msg + 4, 4, 4, 10, 0) == JW_ASM_PENDING);
  CHECK(jw_asm_feed(&a, NULL, 0, msg + 8, 2, 8, 10, 0) == JW_ASM_COMPLETE);
  CHECK_STR(a.topic, "t/x");
  CHECK(a.flags == 1);
  uint32_t len;
  uint8_t *p = jw_asm_take(&a, &len);
  CHECK(len == 10 && memcmp(p, msg, 10) == 0);
  free(p);
  CHECK(jw_asm_feed(&a, "e", 1, NULL, 0, 0, 0, 0) == JW_ASM_COMPLETE); /* empty payload */
  p = jw_asm_take(&a, &len);
  CHECK(p != NULL && len == 0);
  free(p);
}

static void asm_oversize_is_never_allocated(void) {
  jw_mqtt_asm_t a;
  jw_asm_init(&a, 8);
  uint8_t chunk[4] = {0};
  CHECK(jw_asm_feed(&a, "big", 3, chunk, 4, 0, 12, 0) == JW_ASM_OVERSIZE);
  CHECK(a.buf == NULL);
  CHECK_STR(a.topic, "big");
  CHECK(jw_asm_feed(&a, NULL, 0, chunk, 4, 4, 12, 0) == JW_ASM_SKIPPED);
  CHECK(jw_asm_feed(&a, NULL, 0, chunk, 4, 8, 12, 0) == JW_ASM_SKIPPED);
  CHECK(a.buf == NULL && !a.skipping);
  /* the next message goes through */
  CHECK(jw_asm_feed(&a, "ok", 2, chunk, 4, 0, 4, 0) == JW_ASM_COMPLETE);
  jw_asm_reset(&a);
}

static void asm_bad_sequence_abandons(void) {
  jw_mqtt_asm_t a;
  jw_asm_init(&a, 100);
  uint8_t chunk[4] = {0};
  CHECK(jw_asm_feed(&a, NULL, 0, chunk, 4, 4, 8, 0) == JW_ASM_BAD_FRAGMENT); /* no start */
  CHECK(jw_asm_feed(&a, "t", 1, chunk, 4, 0, 8, 0) == JW_ASM_PENDING);
  CHECK(jw_asm_feed(&a, NULL, 0, chunk, 4, 6, 8, 0) == JW_ASM_BAD_FRAGMENT); /* gap */
  CHECK(a.buf == NULL);
  CHECK(jw_asm_feed(&a, "t", 1, chunk, 4, 0, 6, 0) == JW_ASM_PENDING);
  CHECK(jw_asm_feed(&a, NULL, 0, chunk, 4, 4, 6, 0) == JW_ASM_BAD_FRAGMENT); /* overruns total */
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

/* --- boot rule over an in-memory state ----------------------------------------------------------- */
typedef struct {
  char slot[16], prev[16], rolled[128];
  int32_t trial;
  const char *good; /* slots whose image is valid, e.g. "app_a,app_b" */
} fake_state_t;

static int f_get_str(void *c, const char *k, char *b, size_t n) {
  fake_state_t *s = c;
  const char *v = strcmp(k, JW_KEY_APP_SLOT) == 0 ? s->slot : strcmp(k, JW_KEY_APP_PREV) == 0 ? s->prev : s->rolled;
  snprintf(b, n, "%s", v);
  return 0;
}
static int f_get_i32(void *c, const char *k, int32_t *o) {
  (void)k;
  *o = ((fake_state_t *)c)->trial;
  return 0;
}
static int f_set_str(void *c, const char *k, const char *v) {
  fake_state_t *s = c;
  char *dst = strcmp(k, JW_KEY_APP_SLOT) == 0 ? s->slot : strcmp(k, JW_KEY_APP_PREV) == 0 ? s->prev : s->rolled;
  snprintf(dst, strcmp(k, JW_KEY_APP_ROLLED) == 0 ? 128 : 16, "%s", v);
  return 0;
}
static int f_set_i32(void *c, const char *k, int32_t v) {
  (void)k;
  ((fake_state_t *)c)->trial = v;
  return 0;
}
static bool f_check(void *c, const char *slot, char *r, size_t n) {
  if (strstr(((fake_state_t *)c)->good, slot)) return true;
  snprintf(r, n, "header CRC mismatch");
  return false;
}

static jw_boot_choice_t boot(fake_state_t *s) {
  jw_boot_io_t io = {s, f_get_str, f_get_i32, f_set_str, f_set_i32, f_check};
  jw_boot_choice_t c;
  jw_app_boot_decide(&io, &c);
  return c;
}

static void boot_rule_paths(void) {
  fake_state_t s = {"", "", "", 0, "app_a,app_b"};
  jw_boot_choice_t c = boot(&s);
  CHECK_STR(c.slot, ""); /* empty appSlot: embedded */

  fake_state_t n = {"app_b", "app_a", "", 1, "app_a,app_b"};
  c = boot(&n); /* new image: probation boot */
  CHECK_STR(c.slot, "app_b");
  CHECK(c.probation && n.trial == 2);
  c = boot(&n); /* not confirmed: roll back to app_a */
  CHECK_STR(c.slot, "app_a");
  CHECK(!c.probation && n.trial == 0);
  CHECK_STR(n.slot, "app_a");
  CHECK_STR(n.rolled, "probation failed: app_b");

  fake_state_t bad = {"app_b", "app_a", "", 0, "app_a"};
  c = boot(&bad); /* invalid image: previous slot */
  CHECK_STR(c.slot, "app_a");
  CHECK_STR(bad.rolled, "app_b: header CRC mismatch");

  fake_state_t both = {"app_b", "app_a", "", 1, ""};
  c = boot(&both); /* both invalid: embedded */
  CHECK_STR(c.slot, "");
  CHECK(!c.probation && both.trial == 0);

  fake_state_t odd = {"factory", "", "", 0, "factory"};
  c = boot(&odd);
  CHECK_STR(c.slot, "");
  CHECK_STR(odd.rolled, "factory: unknown slot");
}

int jw_t_count, jw_t_failed, jw_t_case_failed;
void run_platform_tests(void);

int main(void) {
  printf("TAP version 13\n");
  TEST(ring_fifo_and_drop_when_full);
  TEST(ring_wraps_around);
  TEST(timers_one_shot_and_repeat);
  TEST(timers_table_full);
  TEST(asm_reassembles_fragments);
  TEST(asm_oversize_is_never_allocated);
  TEST(asm_bad_sequence_abandons);
  TEST(crc32_known_value);
  TEST(sha256_known_value);
  TEST(ecdsa_verify_accepts_and_refuses);
  TEST(backoff_doubles_and_caps);
  TEST(url_parsing);
  TEST(boot_rule_paths);
  run_platform_tests();
  printf("1..%d\n# pass %d\n# fail %d\n", jw_t_count, jw_t_count - jw_t_failed, jw_t_failed);
  return jw_t_failed ? 1 : 0;
}
