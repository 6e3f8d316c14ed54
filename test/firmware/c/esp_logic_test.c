/* The ESP layer's logic run on the host: the JerryScript port (native/esp/jerry_port.c over stand-in ESP-IDF
 * headers), the broker-verification choice (mqtt_verify.c) and the per-chip flash pins (chip_pins.c).
 *   esp_logic_test          TAP tests
 *   esp_logic_test pins     every reserved pin of each chip, "chip pin" lines (compared with host/flash/chips.ts) */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/time.h>
#include "chip_pins.h"
#include "esp_log.h"
#include "esp_system.h"
#include "freertos/task.h"
#include "jerryscript-port.h"
#include "jw_sys.h"
#include "jw_test.h"
#include "mqtt_verify.h"

int jw_t_count, jw_t_failed, jw_t_case_failed;

/* --- stand-ins the port calls ---------------------------------------------------------------------------- */
static char last_log[256];
static int last_level = -1;
static uint32_t delayed_ms, restarts, fault_count;
static jmp_buf restart_jump;

void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, format);
  vsnprintf(msg, sizeof msg, format, ap);
  va_end(ap);
  snprintf(last_log, sizeof last_log, "%s: %s", tag, msg);
  last_level = (int)level;
}
void vTaskDelay(TickType_t ticks) { delayed_ms += ticks; }
void esp_restart(void) {
  restarts++;
  longjmp(restart_jump, 1);
}
uint32_t jw_sys_fault_count(void) { return fault_count; }
void jw_sys_set_fault_count(uint32_t n) { fault_count = n; }

/* --- the port ----------------------------------------------------------------------------------------------- */
static void port_init_is_defined_and_returns(void) {
  jerry_port_init(); /* jerry_init() calls it first: it must link and return */
  CHECK(restarts == 0);
}

static void port_fatal_counts_a_fault_waits_and_restarts(void) {
  fault_count = 2;
  restarts = 0;
  delayed_ms = 0;
  if (setjmp(restart_jump) == 0) {
    jerry_port_fatal(JERRY_FATAL_OUT_OF_MEMORY);
    CHECK(!"jerry_port_fatal returned");
  }
  CHECK(fault_count == 3);
  CHECK(restarts == 1);
  CHECK(delayed_ms == 1000);
  CHECK(last_level == ESP_LOG_ERROR);
  CHECK_STR(last_log, "js: engine fatal error 10");
}

static void port_log_goes_to_esp_log_as_a_warning(void) {
  jerry_port_log("100% of the heap\n");
  CHECK(last_level == ESP_LOG_WARN);
  CHECK_STR(last_log, "jerry: 100% of the heap\n");
}

static void port_time_is_the_system_clock_in_ms_and_utc(void) {
  struct timeval a, b;
  gettimeofday(&a, NULL);
  double t = jerry_port_current_time();
  gettimeofday(&b, NULL);
  CHECK(t >= (double)a.tv_sec * 1000.0 + a.tv_usec / 1000 && t <= (double)b.tv_sec * 1000.0 + b.tv_usec / 1000);
  CHECK(t == floor(t));
  CHECK(jerry_port_local_tza(t) == 0);
  CHECK(jerry_port_local_tza(0) == 0);
}

static void port_refuses_files_and_console_input(void) {
  jerry_size_t n = 99;
  CHECK(jerry_port_source_read("app.js", &n) == NULL && n == 0);
  n = 99;
  CHECK(jerry_port_line_read(&n) == NULL && n == 0);
  CHECK(jerry_port_path_normalize((const jerry_char_t *)"./a.js", 6) == NULL);
  CHECK(jerry_port_path_base((const jerry_char_t *)"/x/a.js") == 0);
  jerry_port_source_free(NULL);
  jerry_port_line_free(NULL);
  jerry_port_path_free(NULL);
  delayed_ms = 0;
  jerry_port_sleep(25);
  CHECK(delayed_ms == 25);
  jerry_port_print_buffer((const jerry_char_t *)"# print_buffer reaches stdout\n", 30);
}

/* --- broker verification (D7) ------------------------------------------------------------------------------- */
static void tls_without_ca_uses_the_certificate_bundle(void) {
  CHECK(jw_mqtt_verify(true, NULL) == JW_VERIFY_BUNDLE);
  CHECK(jw_mqtt_verify(true, "") == JW_VERIFY_BUNDLE);
  CHECK(jw_mqtt_verify(true, "-----BEGIN CERTIFICATE-----\n") == JW_VERIFY_CA);
  CHECK(jw_mqtt_verify(false, NULL) == JW_VERIFY_NONE);
  CHECK(jw_mqtt_verify(false, "-----BEGIN CERTIFICATE-----\n") == JW_VERIFY_NONE);
}

/* --- flash pins (D8) ----------------------------------------------------------------------------------------- */
static void flash_pins_differ_per_chip(void) {
  CHECK(jw_chip_flash_pin("esp32", 6) && jw_chip_flash_pin("esp32", 11) && !jw_chip_flash_pin("esp32", 12) && !jw_chip_flash_pin("esp32", 5));
  CHECK(jw_chip_flash_pin("esp32c3", 12) && jw_chip_flash_pin("esp32c3", 17) && !jw_chip_flash_pin("esp32c3", 6) && !jw_chip_flash_pin("esp32c3", 18));
  CHECK(jw_chip_flash_pin("esp32s3", 26) && !jw_chip_flash_pin("esp32s3", 6) && !jw_chip_flash_pin("esp32s3", 38));
  CHECK(jw_chip_flash_pin("esp8266", 2) && jw_chip_flash_pin(NULL, 2)); /* an unknown chip gets no GPIO */
  CHECK_STR(jw_chip_flash_pins("esp32c3"), "12-17");
  CHECK_STR(jw_chip_flash_pins("esp8266"), "");
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "pins") == 0) {
    const char *chips[] = {"esp32", "esp32c3", "esp32s3"};
    for (int c = 0; c < 3; c++)
      for (int p = 0; p < 64; p++)
        if (jw_chip_flash_pin(chips[c], p)) printf("%s %d\n", chips[c], p);
    return 0;
  }
  TEST(port_init_is_defined_and_returns);
  TEST(port_fatal_counts_a_fault_waits_and_restarts);
  TEST(port_log_goes_to_esp_log_as_a_warning);
  TEST(port_time_is_the_system_clock_in_ms_and_utc);
  TEST(port_refuses_files_and_console_input);
  TEST(tls_without_ca_uses_the_certificate_bundle);
  TEST(flash_pins_differ_per_chip);
  printf("1..%d\n", jw_t_count);
  return jw_t_failed ? 1 : 0;
}
