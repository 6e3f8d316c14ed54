/* Tests of the POSIX twin: queue across threads, timers, NVS and partitions as files, MQTT against a real
 * mosquitto (JW_TEST_MQTT_PORT; the mocha driver starts one on an ephemeral port). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "jw_app_boot.h"
#include "jw_app_loader.h"
#include "jw_clock.h"
#include "jw_crc32.h"
#include "jw_crypto.h"
#include "jw_events.h"
#include "jw_kv.h"
#include "jw_mqtt_asm.h"
#include "jw_mqtt.h"
#include "jw_part.h"
#include "jw_test.h"

#define PRODUCERS 4
#define PER_PRODUCER 200

static void *producer(void *arg) {
  int base = *(int *)arg;
  for (int i = 0; i < PER_PRODUCER; i++) {
    jw_event_t ev = {.kind = JW_EV_TIMER, .a = base + i};
    jw_queue_post(&ev);
  }
  return NULL;
}

static void queue_many_threads(void) {
  pthread_t th[PRODUCERS];
  int bases[PRODUCERS];
  static int seen[PRODUCERS * PER_PRODUCER];
  memset(seen, 0, sizeof seen);
  for (int i = 0; i < PRODUCERS; i++) {
    bases[i] = i * PER_PRODUCER;
    pthread_create(&th[i], NULL, producer, &bases[i]);
  }
  int got = 0;
  jw_event_t ev;
  while (got < PRODUCERS * PER_PRODUCER && jw_queue_wait(&ev, 2000)) {
    if (ev.kind == JW_EV_TIMER && ev.a >= 0 && ev.a < PRODUCERS * PER_PRODUCER) seen[ev.a]++;
    got++;
  }
  for (int i = 0; i < PRODUCERS; i++) pthread_join(th[i], NULL);
  CHECK(got == PRODUCERS * PER_PRODUCER);
  int once = 1;
  for (int i = 0; i < PRODUCERS * PER_PRODUCER; i++) once &= seen[i] == 1;
  CHECK(once);
  CHECK(jw_queue_dropped() == 0);
  CHECK(!jw_queue_wait(&ev, 10)); /* empty: times out */
}

static void timer_posts_event(void) {
  uint64_t t0 = jw_millis();
  int32_t id = jw_timer_start(20, false);
  int32_t never = jw_timer_start(30, false);
  jw_timer_stop(never);
  CHECK(id > 0);
  jw_event_t ev;
  CHECK(jw_queue_wait(&ev, 1000));
  CHECK(ev.kind == JW_EV_TIMER && ev.a == id);
  CHECK(jw_millis() - t0 >= 20);
  CHECK(!jw_queue_wait(&ev, 60)); /* the stopped timer never fires */
}

static void kv_roundtrip(void) {
  char buf[32];
  size_t len = sizeof buf;
  int32_t v = 0;
  CHECK(jw_kv_set_str(JW_KV_STATE, "lastCmdId", "abc") == 0);
  CHECK(jw_kv_get_str(JW_KV_STATE, "lastCmdId", buf, &len) == 0);
  CHECK_STR(buf, "abc");
  CHECK(len == 4);
  CHECK(jw_kv_get_i32(JW_KV_STATE, "lastCmdId", &v) == -1); /* other type */
  CHECK(jw_kv_set_i32(JW_KV_STATE, "bootCount", -7) == 0);
  CHECK(jw_kv_get_i32(JW_KV_STATE, "bootCount", &v) == 0 && v == -7);
  uint8_t blob[3] = {1, 0, 255}, back[8];
  size_t bl = sizeof back;
  CHECK(jw_kv_set_blob(JW_KV_SETTINGS, "otaPubKey", blob, 3) == 0);
  CHECK(jw_kv_get_blob(JW_KV_SETTINGS, "otaPubKey", back, &bl) == 0 && bl == 3 && memcmp(back, blob, 3) == 0);
  CHECK(jw_kv_get_blob(JW_KV_STATE, "otaPubKey", back, &bl) == -1); /* stores are apart */
  CHECK(jw_kv_set_str(JW_KV_STATE, "a_key_of_16_chrs", "x") == -1);
  CHECK(jw_kv_set_str(JW_KV_STATE, "../escape", "x") == -1);
  CHECK(jw_kv_erase(JW_KV_STATE, "lastCmdId") == 0);
  len = sizeof buf;
  CHECK(jw_kv_get_str(JW_KV_STATE, "lastCmdId", buf, &len) == -1);
}

static void partitions_follow_nor_rules(void) {
  jw_part_info_t i;
  CHECK(jw_part_info("app_a", &i) == 0);
  CHECK(i.size == 0x30000 && i.erase_size == 4096);
  CHECK(jw_part_info("nope", &i) == -1);
  CHECK(jw_part_erase("app_a", 0, 4096) == 0);
  CHECK(jw_part_erase("app_a", 100, 4096) == -1);
  uint8_t a[2] = {0xF0, 0x0F}, b[2] = {0x3C, 0xFF}, out[2];
  CHECK(jw_part_write("app_a", 10, a, 2) == 0);
  CHECK(jw_part_write("app_a", 10, b, 2) == 0);
  CHECK(jw_part_read("app_a", 10, out, 2) == 0);
  CHECK(out[0] == 0x30 && out[1] == 0x0F); /* bits only clear */
  const uint8_t *m = jw_part_map("app_a", 10, 2);
  CHECK(m != NULL && m[0] == 0x30);
  CHECK(jw_part_read("app_a", 0x30000 - 1, out, 2) == -1); /* past the end */
  CHECK(jw_part_erase("app_a", 0, 4096) == 0);
  CHECK(jw_part_read("app_a", 10, out, 2) == 0 && out[0] == 0xFF);
  CHECK(m[0] == 0xFF); /* the map sees the flash */
}

/* A valid source image of payload "app()" (the layout of build/app-image.ts), for want. */
static size_t pack_image(uint8_t *img, const jw_image_expect_t *want) {
  static const char src[] = "app()";
  const uint32_t n = sizeof src - 1;
  memset(img, 0, JW_IMAGE_HEADER_BYTES);
  memcpy(img, JW_IMAGE_MAGIC, 4);
  img[4] = JW_IMAGE_FORMAT;
  img[6] = JW_IMAGE_HEADER_BYTES;
  memcpy(img + 8, &want->contract_version, 4); /* little-endian hosts, as the ESP32 */
  img[12] = 9;                                 /* app version */
  memcpy(img + 20, &n, 4);
  memcpy(img + 24, "jerryscript-3.0.0", 17);
  memcpy(img + 48, want->engine_config_hash, 16);
  memcpy(img + JW_IMAGE_HEADER_BYTES, src, n);
  jw_sha256(img + JW_IMAGE_HEADER_BYTES, n, img + 64);
  uint32_t crc = jw_crc32(0, img, 96);
  memcpy(img + 96, &crc, 4);
  return JW_IMAGE_HEADER_BYTES + n;
}

static bool state_has(const char *key, char *buf, size_t len) { return jw_kv_get_str(JW_KV_STATE, key, buf, &len) == 0; }

/* jw_app_load on a board whose appSlot was never set: app_a (erased, garbage, valid image) over the real
 * partitions and NVS files; the decision itself is tested in test_app_boot.c. */
static void app_load_fresh_board_tries_app_a(void) {
  jw_image_expect_t want = {.contract_version = 1, .engine_config_hash = {1, 2, 3}, .max_bytes = 0};
  uint8_t img[JW_IMAGE_HEADER_BYTES + 16];
  size_t len = pack_image(img, &want);
  jw_loaded_app_t app;
  char buf[128];
  jw_kv_erase(JW_KV_STATE, JW_KEY_APP_SLOT);
  jw_kv_erase(JW_KV_STATE, JW_KEY_APP_ROLLED);

  CHECK(jw_part_erase("app_a", 0, 4096) == 0);
  CHECK(jw_app_load(&want, img, len, &app));
  CHECK_STR(app.slot, "embedded");
  CHECK(!state_has(JW_KEY_APP_ROLLED, buf, sizeof buf)); /* erased: nothing said */

  CHECK(jw_part_write("app_a", 0, "JWAX", 4) == 0);
  CHECK(jw_app_load(&want, img, len, &app));
  CHECK_STR(app.slot, "embedded");
  CHECK(state_has(JW_KEY_APP_ROLLED, buf, sizeof buf));
  CHECK_STR(buf, "app_a: bad magic: not a jerrywatt app image");
  jw_kv_erase(JW_KV_STATE, JW_KEY_APP_ROLLED);

  CHECK(jw_part_erase("app_a", 0, 4096) == 0);
  CHECK(jw_part_write("app_a", 0, img, (uint32_t)len) == 0);
  CHECK(jw_app_load(&want, img, len, &app));
  CHECK_STR(app.slot, "app_a");
  CHECK(app.header.app_version == 9 && memcmp(app.payload, "app()", 5) == 0);
  CHECK(!state_has(JW_KEY_APP_SLOT, buf, sizeof buf) && !state_has(JW_KEY_APP_ROLLED, buf, sizeof buf));
  CHECK(jw_part_erase("app_a", 0, 4096) == 0);
}

/* How many mappings of <label>.bin the process holds (Linux /proc/self/maps); -1 when unreadable. */
static int mappings_of(const char *label) {
  char want[32], line[1024];
  snprintf(want, sizeof want, "/flash/%s.bin", label);
  FILE *f = fopen("/proc/self/maps", "r");
  if (f == NULL) return -1;
  int n = 0;
  while (fgets(line, sizeof line, f))
    if (strstr(line, want)) n++;
  fclose(f);
  return n;
}

static void part_map_is_made_once(void) {
  /* An OTA maps once per frame: thousands of calls must not add mappings. */
  const uint8_t *first = jw_part_map("model_a", 0, 16);
  CHECK(first != NULL);
  int same = 1;
  for (uint32_t k = 0; k < 5000; k++) {
    uint32_t off = (k * 4096u) % 0x30000u;
    same &= jw_part_map("model_a", off, 64) == first + off;
  }
  CHECK(same);
  int n = mappings_of("model_a");
  CHECK(n == 1 || n == -1);
  CHECK(jw_part_map("model_a", 0x30000 - 8, 16) == NULL); /* past the end, also once mapped */
  CHECK(jw_part_map("model_a", 0, 0) == NULL);
  CHECK(jw_part_map("model_a", 0, 0x30000) == first); /* the whole partition */
}

static void part_map_refuses_app_partitions(void) {
  jw_part_info_t i;
  CHECK(jw_part_info("ota_0", &i) == 0 && i.size == 0x180000); /* it exists ... */
  CHECK(jw_part_map("ota_0", 0, 4096) == NULL);                  /* ... but is not mapped, as on the device */
  CHECK(jw_part_map("ota_1", 0, 4096) == NULL);
  CHECK(mappings_of("ota_0") <= 0);
  uint8_t b[4];
  CHECK(jw_part_read("ota_1", 0, b, sizeof b) == 0); /* firmware slots are read, not mapped */
}

static jw_event_t wait_kind(int kind, int client) {
  jw_event_t ev;
  memset(&ev, 0, sizeof ev);
  while (jw_queue_wait(&ev, 3000)) {
    if (ev.kind == kind && ev.a == client) return ev;
    jw_event_release(&ev);
  }
  memset(&ev, 0, sizeof ev);
  return ev;
}

static void mqtt_against_mosquitto(void) {
  const char *port = getenv("JW_TEST_MQTT_PORT");
  char url[64];
  snprintf(url, sizeof url, "mqtt://127.0.0.1:%s", port);
  jw_mqtt_options_t o = {.url = url, .client_id = "jw-c-test", .keepalive_sec = 10, .clean_session = true,
                         .max_message_bytes = 64};
  int c = jw_mqtt_connect(&o);
  CHECK(c > 0);
  jw_event_t ev = wait_kind(JW_EV_MQTT_CONNECT, c);
  CHECK(ev.kind == JW_EV_MQTT_CONNECT);
  CHECK(jw_mqtt_subscribe(c, "jw/test/#", 1) >= 0);
  uint8_t small[10] = "0123456789";
  uint8_t big[100];
  memset(big, 'b', sizeof big);
  /* Give the SUBACK a moment: publish twice so the first can race the subscription harmlessly. */
  int got_small = 0, got_oversize = 0;
  for (int attempt = 0; attempt < 5 && !(got_small && got_oversize); attempt++) {
    CHECK(jw_mqtt_publish(c, "jw/test/big", big, sizeof big, 1, false) >= 0);
    CHECK(jw_mqtt_publish(c, "jw/test/small", small, sizeof small, 1, false) >= 0);
    jw_event_t m;
    while (!(got_small && got_oversize) && jw_queue_wait(&m, 500)) {
      if (m.kind == JW_EV_MQTT_MESSAGE && m.text && strcmp(m.text, "jw/test/small") == 0)
        got_small = m.len == 10 && memcmp(m.data, small, 10) == 0 && (m.flags & 3) == 1;
      if (m.kind == JW_EV_MQTT_MESSAGE && m.text && strcmp(m.text, "jw/test/big") == 0) got_oversize = -1000;
      if (m.kind == JW_EV_MQTT_ERROR && m.b == JW_ASM_OVERSIZE && m.text && strcmp(m.text, "jw/test/big") == 0 && m.len == 100) got_oversize = 1;
      jw_event_release(&m);
    }
  }
  CHECK(got_small == 1);
  CHECK(got_oversize == 1);
  jw_mqtt_end(c);
  CHECK(jw_mqtt_publish(c, "jw/test/small", small, 1, 0, false) == -1); /* ended */

  /* A broker that is not there: close event, then reconnect is allowed. */
  jw_mqtt_options_t dead = {.url = "mqtt://127.0.0.1:1", .client_id = "jw-c-dead", .max_message_bytes = 64};
  int d = jw_mqtt_connect(&dead);
  CHECK(d > 0);
  ev = wait_kind(JW_EV_MQTT_CLOSE, d);
  CHECK(ev.kind == JW_EV_MQTT_CLOSE && ev.text && strncmp(ev.text, "connect failed", 14) == 0);
  jw_event_release(&ev);
  CHECK(jw_mqtt_reconnect(d) == 0);
  ev = wait_kind(JW_EV_MQTT_CLOSE, d);
  CHECK(ev.kind == JW_EV_MQTT_CLOSE);
  jw_event_release(&ev);
  jw_mqtt_end(d);
}

/* The host twin applies the same queue budget: messages held (not yet consumed) count; the rest are refused with
 * an error event with code JW_ASM_QUEUE_FULL, its topic and size (jw_mqtt.h), and consuming gives the bytes back. */
static void mqtt_queue_budget_against_mosquitto(void) {
  const char *port = getenv("JW_TEST_MQTT_PORT");
  char url[64];
  snprintf(url, sizeof url, "mqtt://127.0.0.1:%s", port);
  jw_mqtt_options_t o = {.url = url, .client_id = "jw-c-budget", .keepalive_sec = 10, .clean_session = true,
                         .max_message_bytes = 64};
  jw_mqtt_set_queue_budget(100);
  int c = jw_mqtt_connect(&o);
  CHECK(c > 0);
  jw_event_t ev = wait_kind(JW_EV_MQTT_CONNECT, c);
  CHECK(ev.kind == JW_EV_MQTT_CONNECT);
  int sub = jw_mqtt_subscribe(c, "jw/budget/#", 1);
  CHECK(sub >= 0);
  /* A probe until it comes back: the subscription is then in place. */
  uint8_t p40[40];
  memset(p40, 'p', sizeof p40);
  int ready = 0;
  for (int attempt = 0; attempt < 20 && !ready; attempt++) {
    CHECK(jw_mqtt_publish(c, "jw/budget/probe", p40, 1, 1, false) >= 0);
    jw_event_t m;
    while (!ready && jw_queue_wait(&m, 200)) {
      ready = m.kind == JW_EV_MQTT_MESSAGE && m.text && strcmp(m.text, "jw/budget/probe") == 0;
      jw_event_release(&m);
    }
  }
  CHECK(ready);
  CHECK(jw_mqtt_queue_budget_used() == 0);
  for (int i = 0; i < 5; i++) CHECK(jw_mqtt_publish(c, "jw/budget/m", p40, sizeof p40, 1, false) >= 0);
  jw_event_t held[5];
  int n_held = 0, n_dropped = 0, other = 0;
  jw_event_t m;
  while (n_held + n_dropped < 5 && jw_queue_wait(&m, 3000)) {
    int flood = m.text && strcmp(m.text, "jw/budget/m") == 0;
    if (m.kind == JW_EV_MQTT_MESSAGE && flood && n_held < 5) {
      held[n_held++] = m; /* not released: as if JS had not consumed them yet */
      continue;
    }
    if (m.kind == JW_EV_MQTT_ERROR && m.b == JW_ASM_QUEUE_FULL && m.text && strcmp(m.text, "jw/budget/m") == 0 && m.len == 40) n_dropped++;
    else if (!(m.kind == JW_EV_MQTT_MESSAGE && m.text && strcmp(m.text, "jw/budget/probe") == 0)) other++; /* a late probe is fine */
    jw_event_release(&m);
  }
  CHECK(n_held == 2 && n_dropped == 3 && other == 0); /* 2 x 40 fit in 100, the third would not */
  CHECK(jw_mqtt_queue_budget_used() == 80);
  for (int i = 0; i < n_held; i++) jw_event_release(&held[i]);
  CHECK(jw_mqtt_queue_budget_used() == 0);
  CHECK(jw_mqtt_publish(c, "jw/budget/m", p40, sizeof p40, 1, false) >= 0);
  ev = wait_kind(JW_EV_MQTT_MESSAGE, c);
  CHECK(ev.kind == JW_EV_MQTT_MESSAGE && ev.len == 40); /* room again */
  jw_event_release(&ev);
  jw_mqtt_end(c);
  jw_mqtt_set_queue_budget(JW_MQTT_QUEUE_BUDGET_DEFAULT);
}

void run_platform_tests(void) {
  CHECK(jw_queue_init(1024));
  TEST(queue_many_threads);
  TEST(timer_posts_event);
  TEST(kv_roundtrip);
  TEST(partitions_follow_nor_rules);
  TEST(part_map_is_made_once);
  TEST(part_map_refuses_app_partitions);
  TEST(app_load_fresh_board_tries_app_a);
  if (getenv("JW_TEST_MQTT_PORT")) {
    TEST(mqtt_against_mosquitto);
    TEST(mqtt_queue_budget_against_mosquitto);
  } else {
    jw_t_skip("mqtt_against_mosquitto", "JW_TEST_MQTT_PORT not set");
    jw_t_skip("mqtt_queue_budget_against_mosquitto", "JW_TEST_MQTT_PORT not set");
  }
}
