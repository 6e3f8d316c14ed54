/* The host twin's board-level I/O for the runner (host/native/board.ts): events out on stdout, commands in on the
 * control pipe (fd JW_CONTROL_FD). Events are lines "jw-event <name> <args>"; commands are "wifi down", "wifi up". */
#ifndef JW_HOST_LINK_H
#define JW_HOST_LINK_H
#include <stdbool.h>
/* One event line on stdout (flushed at once: the runner reacts to it). */
void jw_host_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Is the simulated Wi-Fi link up? (wifi.c) */
bool jw_host_link_up(void);
/* The link went down: every MQTT connection dies as a dropped TCP link would (mqtt.c). */
void jw_mqtt_host_link_down(void);
#endif
