/* The JerryScript 3.0 port (jerryscript-port.h of v3.0.0) for ESP-IDF: every function that header declares except
 * the jerry_port_context_* trio, which only JERRY_EXTERNAL_CONTEXT builds call (build/engine-config.json has it off).
 * Fatal errors restart under the fault policy's counter, logs go to ESP_LOG, time comes from the system clock.
 * No file system: module loading is refused. test/firmware/port.test.ts runs this file on the host. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include "esp_log.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "jerryscript-port.h"
#include "jw_sys.h"

/* jerry_init() calls it first: nothing to set up (the heap is static, the clock is the system's). */
void jerry_port_init(void) {}

void jerry_port_fatal(jerry_fatal_code_t code) {
  /* JS heap exhausted (JERRY_FATAL_OUT_OF_MEMORY) lands here: count it as a fault, then restart. */
  ESP_LOGE("js", "engine fatal error %d", (int)code);
  jw_sys_set_fault_count(jw_sys_fault_count() + 1);
  vTaskDelay(pdMS_TO_TICKS(1000));
  esp_restart();
  abort();
}

void jerry_port_log(const char *message) { esp_log_write(ESP_LOG_WARN, "jerry", "%s", message); }
void jerry_port_print_buffer(const jerry_char_t *buf, jerry_size_t size) { fwrite(buf, 1, size, stdout); }
jerry_char_t *jerry_port_line_read(jerry_size_t *out_size) {
  *out_size = 0;
  return NULL;
}
void jerry_port_line_free(jerry_char_t *buf) { (void)buf; }
void jerry_port_sleep(uint32_t ms) { vTaskDelay(pdMS_TO_TICKS(ms)); }

jerry_char_t *jerry_port_path_normalize(const jerry_char_t *path, jerry_size_t size) {
  (void)path, (void)size;
  return NULL;
}
void jerry_port_path_free(jerry_char_t *path) { (void)path; }
jerry_size_t jerry_port_path_base(const jerry_char_t *path) {
  (void)path;
  return 0;
}
jerry_char_t *jerry_port_source_read(const char *file_name, jerry_size_t *out_size) {
  (void)file_name;
  *out_size = 0;
  return NULL;
}
void jerry_port_source_free(jerry_char_t *buf) { (void)buf; }

int32_t jerry_port_local_tza(double unix_ms) {
  (void)unix_ms;
  return 0; /* devices report UTC */
}

double jerry_port_current_time(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (double)tv.tv_sec * 1000.0 + (double)(tv.tv_usec / 1000);
}
