/* Logging: ESP_LOG on the device, stderr lines on the host. */
#ifndef JW_LOG_H
#define JW_LOG_H
typedef enum { JW_LOG_ERROR = 0, JW_LOG_WARN, JW_LOG_INFO, JW_LOG_DEBUG } jw_log_level_t;
void jw_log(jw_log_level_t level, const char *tag, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#endif
