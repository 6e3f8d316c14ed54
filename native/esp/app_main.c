/* Boot: NVS, network stack, event queue; pick the app image (A/B rule, else embedded); run it on the JS task. */
#include "esp_event.h"
#include "esp_netif.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "sdkconfig.h"
#include "jw_app_loader.h"
#include "jw_events.h"
#include "jw_kv.h"
#include "jw_log.h"
#include "jw_sys.h"
#include "jw_vm.h"

#define CONTRACT_VERSION 2 /* bindings/contract.ts; test/contract checks native/posix/main.c and this agree */

extern const uint8_t app_img_start[] asm("_binary_app_img_start");
extern const uint8_t app_img_end[] asm("_binary_app_img_end");

static jw_loaded_app_t app;

static void js_task(void *arg) {
  (void)arg;
  jw_vm_config_t cfg = {
      .watchdog_ms = CONFIG_JERRYWATT_WATCHDOG_MS,
      .fault_base_ms = CONFIG_JERRYWATT_FAULT_BACKOFF_MIN_MS,
      .fault_max_ms = CONFIG_JERRYWATT_FAULT_BACKOFF_MAX_MS,
      .healthy_after_ms = CONFIG_JERRYWATT_HEALTHY_AFTER_MS,
      .run_for_ms = 0,
  };
  jw_vm_run(&app, &cfg);
  jw_sys_restart(); /* the loop only ends on QUIT, which the device never posts */
}

void app_main(void) {
  jw_kv_init();
  ESP_ERROR_CHECK(esp_netif_init());
  ESP_ERROR_CHECK(esp_event_loop_create_default());
  if (!jw_queue_init(CONFIG_JERRYWATT_EVENT_QUEUE_LEN)) jw_sys_restart();

  jw_image_expect_t want = {.contract_version = CONTRACT_VERSION};
  jw_hex16(JW_ENGINE_CONFIG_HASH, want.engine_config_hash);
  if (!jw_app_load(&want, app_img_start, (size_t)(app_img_end - app_img_start), &app)) {
    /* Not even the embedded image fits this firmware: a build error, nothing to run. Wait, then retry. */
    jw_sys_sleep_ms(60000);
    jw_sys_restart();
  }
  xTaskCreate(js_task, "js", CONFIG_JERRYWATT_JS_TASK_STACK_KB * 1024, NULL, CONFIG_JERRYWATT_JS_TASK_PRIORITY, NULL);
}
