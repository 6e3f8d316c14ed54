/* Host stand-in for ESP-IDF's esp_log.h: what native/esp/jerry_port.c uses, recorded for the test. */
#ifndef SHIM_ESP_LOG_H
#define SHIM_ESP_LOG_H
typedef enum { ESP_LOG_NONE, ESP_LOG_ERROR, ESP_LOG_WARN, ESP_LOG_INFO, ESP_LOG_DEBUG, ESP_LOG_VERBOSE } esp_log_level_t;
void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...);
#define ESP_LOGE(tag, format, ...) esp_log_write(ESP_LOG_ERROR, tag, format, ##__VA_ARGS__)
#endif
