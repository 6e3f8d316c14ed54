#include <stdarg.h>
#include "esp_log.h"
#include "jw_log.h"

void jw_log(jw_log_level_t level, const char *tag, const char *fmt, ...) {
  static const esp_log_level_t map[] = {ESP_LOG_ERROR, ESP_LOG_WARN, ESP_LOG_INFO, ESP_LOG_DEBUG};
  va_list ap;
  va_start(ap, fmt);
  esp_log_writev(map[level & 3], tag, fmt, ap);
  va_end(ap);
  esp_log_write(map[level & 3], tag, "\n");
}
