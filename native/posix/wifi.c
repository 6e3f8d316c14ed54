/* Wi-Fi on the host: the link is up unless the runner drops it. A thread reads commands from the runner's
 * control pipe (the fd named by JW_CONTROL_FD; "wifi down", "wifi up"; host_link.h), started with the station, so
 * tests can drop Wi-Fi on the native board as they drop the simulated board's network. Not stdin: the manual
 * clock (clock.c) reads that. A drop reports `disconnected` reason 8 (ASSOC_LEAVE) and kills the
 * MQTT connections; a connect while the link is down reports reason 201 (NO_AP_FOUND), as the V8 board does. */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "host_link.h"
#include "jw_events.h"
#include "jw_log.h"
#include "jw_wifi.h"

static _Atomic int status = JW_WIFI_IDLE;
static _Atomic bool link_up = true;
static pthread_once_t control_once = PTHREAD_ONCE_INIT;

void jw_host_event(const char *fmt, ...) {
  static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  va_list ap;
  va_start(ap, fmt);
  pthread_mutex_lock(&mu);
  fputs("jw-event ", stdout);
  vfprintf(stdout, fmt, ap);
  fputc('\n', stdout);
  fflush(stdout);
  pthread_mutex_unlock(&mu);
  va_end(ap);
}

bool jw_host_link_up(void) { return link_up; }

static void post_wifi(int got_ip, int reason) {
  jw_event_t ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = JW_EV_WIFI;
  ev.a = got_ip;
  ev.b = reason;
  ev.text = got_ip ? strdup("127.0.0.1") : NULL;
  jw_queue_post(&ev);
}

/* One line from fd with read(2), never stdio: a thread blocked in fgets holds the stream's lock, and exit() (a
 * restart is exit(3)) then waits for that lock forever. */
static bool read_line(int fd, char *line, size_t cap) {
  size_t n = 0;
  for (;;) {
    char ch;
    ssize_t r = read(fd, &ch, 1);
    if (r <= 0) return false;
    if (ch == '\n') break;
    if (n + 1 < cap) line[n++] = ch;
  }
  line[n] = '\0';
  return true;
}

static void *control(void *arg) {
  int fd = (int)(intptr_t)arg;
  char line[64];
  while (read_line(fd, line, sizeof line)) {
    if (strncmp(line, "wifi down", 9) == 0) {
      if (!atomic_exchange(&link_up, false)) continue;
      jw_log(JW_LOG_WARN, "wifi", "link down (runner)");
      int was = atomic_exchange(&status, JW_WIFI_IDLE);
      jw_mqtt_host_link_down();
      if (was == JW_WIFI_CONNECTED) post_wifi(0, 8);
    } else if (strncmp(line, "wifi up", 7) == 0) {
      if (!atomic_exchange(&link_up, true)) jw_log(JW_LOG_INFO, "wifi", "link up (runner)");
    }
  }
  return NULL; /* the runner closed the pipe: the link stays as it is */
}

static void start_control(void) {
  const char *env = getenv("JW_CONTROL_FD");
  if (env == NULL || *env == '\0') return; /* no runner: the link stays up */
  int fd = atoi(env);
  pthread_t t;
  if (fd > 2 && pthread_create(&t, NULL, control, (void *)(intptr_t)fd) == 0) pthread_detach(t);
}

int jw_wifi_connect(const char *ssid, const char *password) {
  (void)password;
  pthread_once(&control_once, start_control);
  jw_log(JW_LOG_INFO, "wifi", "connect to \"%s\" (host: simulated)", ssid);
  if (!link_up) {
    status = JW_WIFI_IDLE;
    post_wifi(0, 201);
    return 0;
  }
  status = JW_WIFI_CONNECTED;
  post_wifi(1, 0);
  return 0;
}

jw_wifi_status_t jw_wifi_status(void) { return (jw_wifi_status_t)status; }
