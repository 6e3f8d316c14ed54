/* Host stand-in for ESP-IDF's esp_system.h: esp_restart() jumps back into the test. */
#ifndef SHIM_ESP_SYSTEM_H
#define SHIM_ESP_SYSTEM_H
void esp_restart(void) __attribute__((noreturn));
#endif
