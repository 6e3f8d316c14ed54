#include <stdio.h>
#include "esp_attr.h"
#include "esp_heap_caps.h"
#include "esp_mac.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdkconfig.h"
#include "jw_sys.h"

/* Survives esp_restart() (not a power cycle): the consecutive-fault counter of the restart policy. */
#define FAULT_MAGIC 0x4A574654u
static RTC_NOINIT_ATTR uint32_t fault_magic;
static RTC_NOINIT_ATTR uint32_t fault_count;

void jw_sys_chip_id(char *buf, size_t len) {
  uint8_t mac[6] = {0};
  esp_efuse_mac_get_default(mac);
  snprintf(buf, len, "%02x%02x%02x%02x%02x%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

const char *jw_sys_chip(void) { return CONFIG_IDF_TARGET; }

const char *jw_sys_reset_reason(void) {
  switch (esp_reset_reason()) {
    case ESP_RST_POWERON: return "poweron";
    case ESP_RST_EXT: return "external";
    case ESP_RST_SW: return "software";
    case ESP_RST_PANIC: return "panic";
    case ESP_RST_INT_WDT: return "interrupt-watchdog";
    case ESP_RST_TASK_WDT: return "task-watchdog";
    case ESP_RST_WDT: return "watchdog";
    case ESP_RST_DEEPSLEEP: return "deepsleep";
    case ESP_RST_BROWNOUT: return "brownout";
    case ESP_RST_SDIO: return "sdio";
    default: return "unknown";
  }
}

void jw_sys_native_heap(uint32_t *free_bytes, uint32_t *min_free_bytes) {
  *free_bytes = (uint32_t)esp_get_free_heap_size();
  *min_free_bytes = (uint32_t)esp_get_minimum_free_heap_size();
}

void jw_sys_restart(void) {
  esp_restart();
}

uint32_t jw_sys_fault_count(void) {
  if (fault_magic != FAULT_MAGIC || esp_reset_reason() == ESP_RST_POWERON) {
    fault_magic = FAULT_MAGIC;
    fault_count = 0;
  }
  return fault_count;
}

void jw_sys_set_fault_count(uint32_t n) {
  fault_magic = FAULT_MAGIC;
  fault_count = n;
}

void jw_sys_sleep_ms(uint32_t ms) { vTaskDelay(pdMS_TO_TICKS(ms)); }
