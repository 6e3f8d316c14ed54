/* The ONE registration table of the `native` object (bindings/native.d.ts). One row per declared function;
 * test/contract/native-contract.test.ts parses this table and fails when it and the declaration drift. */
#include "jw_js.h"

#define H(n) JW_HANDLER(n);
/* b_log.c */ H(jw_b_log)
/* b_clock.c */ H(jw_b_millis) H(jw_b_timer_start) H(jw_b_timer_stop) H(jw_b_wall_clock)
/* b_gpio.c */ H(jw_b_gpio_mode) H(jw_b_gpio_write) H(jw_b_gpio_read)
/* b_wifi.c */ H(jw_b_wifi_connect) H(jw_b_wifi_on) H(jw_b_wifi_status)
/* b_mqtt.c */ H(jw_b_mqtt_connect) H(jw_b_mqtt_reconnect) H(jw_b_mqtt_subscribe) H(jw_b_mqtt_unsubscribe)
H(jw_b_mqtt_publish) H(jw_b_mqtt_end)
/* b_kv.c */ H(jw_b_kv_get) H(jw_b_kv_set) H(jw_b_kv_erase)
/* b_part.c */ H(jw_b_part_info) H(jw_b_part_read) H(jw_b_part_erase) H(jw_b_part_write) H(jw_b_part_map)
/* b_ota.c */ H(jw_b_ota_next_slot) H(jw_b_ota_validate) H(jw_b_ota_set_boot) H(jw_b_ota_running)
H(jw_b_ota_mark_valid) H(jw_b_ota_rollback)
/* b_crypto.c */ H(jw_b_sha256_begin) H(jw_b_sha256_update) H(jw_b_sha256_finish) H(jw_b_ecdsa_p256_verify)
/* b_sys.c */ H(jw_b_device_id) H(jw_b_info) H(jw_b_reset_reason) H(jw_b_heap_stats) H(jw_b_restart) H(jw_b_on_fault)
#undef H

const jw_binding_t JW_BINDINGS[] = {
    {"log", jw_b_log},
    {"millis", jw_b_millis},
    {"timerStart", jw_b_timer_start},
    {"timerStop", jw_b_timer_stop},
    {"wallClock", jw_b_wall_clock},
    {"gpioMode", jw_b_gpio_mode},
    {"gpioWrite", jw_b_gpio_write},
    {"gpioRead", jw_b_gpio_read},
    {"wifiConnect", jw_b_wifi_connect},
    {"wifiOn", jw_b_wifi_on},
    {"wifiStatus", jw_b_wifi_status},
    {"mqttConnect", jw_b_mqtt_connect},
    {"mqttReconnect", jw_b_mqtt_reconnect},
    {"mqttSubscribe", jw_b_mqtt_subscribe},
    {"mqttUnsubscribe", jw_b_mqtt_unsubscribe},
    {"mqttPublish", jw_b_mqtt_publish},
    {"mqttEnd", jw_b_mqtt_end},
    {"kvGet", jw_b_kv_get},
    {"kvSet", jw_b_kv_set},
    {"kvErase", jw_b_kv_erase},
    {"partInfo", jw_b_part_info},
    {"partRead", jw_b_part_read},
    {"partErase", jw_b_part_erase},
    {"partWrite", jw_b_part_write},
    {"partMap", jw_b_part_map},
    {"otaNextSlot", jw_b_ota_next_slot},
    {"otaValidate", jw_b_ota_validate},
    {"otaSetBoot", jw_b_ota_set_boot},
    {"otaRunning", jw_b_ota_running},
    {"otaMarkValid", jw_b_ota_mark_valid},
    {"otaRollback", jw_b_ota_rollback},
    {"sha256Begin", jw_b_sha256_begin},
    {"sha256Update", jw_b_sha256_update},
    {"sha256Finish", jw_b_sha256_finish},
    {"ecdsaP256Verify", jw_b_ecdsa_p256_verify},
    {"deviceId", jw_b_device_id},
    {"info", jw_b_info},
    {"resetReason", jw_b_reset_reason},
    {"heapStats", jw_b_heap_stats},
    {"restart", jw_b_restart},
    {"onFault", jw_b_on_fault},
};
const size_t JW_BINDINGS_COUNT = sizeof JW_BINDINGS / sizeof JW_BINDINGS[0];

void jw_bindings_install(void) {
  jerry_value_t global = jerry_current_realm();
  jerry_value_t native = jerry_object();
  for (size_t i = 0; i < JW_BINDINGS_COUNT; i++) jw_set_val(native, JW_BINDINGS[i].name, jerry_function_external(JW_BINDINGS[i].fn));
  jw_set_num(native, "contractVersion", JW_CONTRACT_VERSION);
  jw_set_val(global, "native", native);
  jerry_value_free(global);
}
