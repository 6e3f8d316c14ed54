/* MQTT on the host through libmosquitto. One network thread per client runs mosquitto_loop(); it never
 * reconnects by itself (the contract leaves that to the app). Messages go through the same reassembler as on
 * the device (one fragment each: libmosquitto hands over whole messages), so the size limit and the queue budget
 * (JW_MQTT_QUEUE_BUDGET_DEFAULT, the device's Kconfig default) behave the same. */
#include <mosquitto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "host_link.h"
#include "host_paths.h"
#include "jw_events.h"
#include "jw_log.h"
#include "jw_mqtt.h"
#include "jw_mqtt_asm.h"

typedef enum { ST_IDLE = 0, ST_CONNECT, ST_ONLINE, ST_ENDING } state_t;
#define SUB_PENDING 8
#define JW_LIMIT_TOPIC_HOST 255 /* bindings refuse longer topics */

typedef struct {
  int handle; /* 0 = free */
  struct mosquitto *mosq;
  char host[128];
  int port;
  int keepalive;
  jw_mqtt_asm_t asm_;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  state_t state;
  int sub_mid[SUB_PENDING]; /* subscriptions waiting for their SUBACK, to name the topic of a refusal */
  char sub_topic[SUB_PENDING][JW_LIMIT_TOPIC_HOST + 1];
  int sub_next;
  bool link_lost; /* the runner dropped Wi-Fi: end this connection without a DISCONNECT (the will goes out) */
} client_t;

static client_t clients[JW_MQTT_MAX_CLIENTS];
static pthread_mutex_t table_mu = PTHREAD_MUTEX_INITIALIZER;
static int next_handle = 1;
static int lib_ready;
static jw_budget_t queue_budget = {JW_MQTT_QUEUE_BUDGET_DEFAULT, 0, 0};

void jw_mqtt_set_queue_budget(uint32_t bytes) { jw_budget_set_limit(&queue_budget, bytes); }
uint32_t jw_mqtt_queue_budget_used(void) { return jw_budget_used(&queue_budget); }

static void post(int kind, int handle, int b, const char *text) {
  jw_event_t ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = (uint8_t)kind;
  ev.a = handle;
  ev.b = b;
  ev.text = text ? strdup(text) : NULL;
  jw_queue_post(&ev);
}

static void post_error(int code, int handle, const char *topic, uint32_t len) {
  jw_event_t ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = JW_EV_MQTT_ERROR;
  ev.a = handle;
  ev.b = code;
  ev.text = strdup(topic);
  ev.len = len;
  jw_queue_post(&ev);
}

static client_t *find(int handle) {
  for (int i = 0; i < JW_MQTT_MAX_CLIENTS; i++)
    if (handle > 0 && clients[i].handle == handle) return &clients[i];
  return NULL;
}

static void on_connect(struct mosquitto *m, void *obj, int rc, int flags) {
  (void)m;
  client_t *c = obj;
  if (rc == 0) {
    post(JW_EV_MQTT_CONNECT, c->handle, flags & 1, NULL);
  } else {
    char why[128];
    snprintf(why, sizeof why, "refused: %s", mosquitto_connack_string(rc));
    post(JW_EV_MQTT_CLOSE, c->handle, rc, why);
    pthread_mutex_lock(&c->mu);
    if (c->state == ST_ONLINE) c->state = ST_IDLE;
    pthread_mutex_unlock(&c->mu);
  }
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg) {
  (void)m;
  client_t *c = obj;
  uint8_t flags = (uint8_t)((msg->qos & 3) | (msg->retain ? JW_EV_FLAG_RETAIN : 0));
  size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
  jw_asm_result_t r = jw_asm_feed(&c->asm_, msg->topic, strlen(msg->topic), msg->payload, len, 0, len, flags);
  if (r == JW_ASM_COMPLETE) {
    jw_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.a = c->handle;
    jw_asm_take_event(&c->asm_, &ev);
    jw_queue_post(&ev);
  } else if (r == JW_ASM_OVERSIZE || r == JW_ASM_QUEUE_FULL || r == JW_ASM_NO_MEMORY || r == JW_ASM_BAD_FRAGMENT) {
    post_error((int)r, c->handle, c->asm_.topic, c->asm_.total); /* jw_mqtt.h: code, topic, size */
  }
}

/* SUBACK: a refused subscription (0x80) is reported with its topic, so the app can subscribe again. */
static void on_subscribe(struct mosquitto *m, void *obj, int mid, int qos_count, const int *granted) {
  (void)m;
  client_t *c = obj;
  char topic[JW_LIMIT_TOPIC_HOST + 1] = "";
  pthread_mutex_lock(&c->mu);
  for (int i = 0; i < SUB_PENDING; i++)
    if (c->sub_mid[i] == mid) {
      memcpy(topic, c->sub_topic[i], sizeof topic);
      c->sub_mid[i] = 0;
    }
  pthread_mutex_unlock(&c->mu);
  for (int i = 0; i < qos_count; i++)
    if (granted[i] == 0x80 && topic[0]) post_error(JW_MQTT_ERR_SUBSCRIBE_REFUSED, c->handle, topic, 0);
}

static void *net_thread(void *arg) {
  client_t *c = arg;
  for (;;) {
    pthread_mutex_lock(&c->mu);
    while (c->state == ST_IDLE) pthread_cond_wait(&c->cv, &c->mu);
    state_t st = c->state;
    pthread_mutex_unlock(&c->mu);
    if (st == ST_ENDING) break;
    bool link = jw_host_link_up();
    int rc = link ? mosquitto_connect(c->mosq, c->host, c->port, c->keepalive) : MOSQ_ERR_NO_CONN;
    if (rc != MOSQ_ERR_SUCCESS) {
      char why[160];
      if (link) snprintf(why, sizeof why, "connect failed: %s", mosquitto_strerror(rc));
      else snprintf(why, sizeof why, "network down");
      pthread_mutex_lock(&c->mu);
      if (c->state == ST_CONNECT) c->state = ST_IDLE;
      st = c->state;
      pthread_mutex_unlock(&c->mu);
      if (st != ST_ENDING) post(JW_EV_MQTT_CLOSE, c->handle, rc, why);
      continue;
    }
    pthread_mutex_lock(&c->mu);
    if (c->state == ST_CONNECT) c->state = ST_ONLINE;
    c->link_lost = false;
    pthread_mutex_unlock(&c->mu);
    for (;;) {
      rc = mosquitto_loop(c->mosq, 100, 1);
      pthread_mutex_lock(&c->mu);
      st = c->state;
      bool lost = c->link_lost;
      pthread_mutex_unlock(&c->mu);
      if (st == ST_ENDING) break;
      if (lost) { /* no DISCONNECT packet can leave a dead link */
        int fd = mosquitto_socket(c->mosq);
        if (fd >= 0) shutdown(fd, SHUT_RDWR);
      }
      if (rc != MOSQ_ERR_SUCCESS || st == ST_IDLE || lost) {
        char why[160];
        if (lost) snprintf(why, sizeof why, "network down");
        else snprintf(why, sizeof why, "connection lost: %s", mosquitto_strerror(rc));
        mosquitto_disconnect(c->mosq);
        pthread_mutex_lock(&c->mu);
        int was_online = c->state == ST_ONLINE;
        c->state = ST_IDLE;
        pthread_mutex_unlock(&c->mu);
        if (was_online) post(JW_EV_MQTT_CLOSE, c->handle, rc, why);
        break;
      }
    }
    if (st == ST_ENDING) break;
  }
  return NULL;
}

static int write_pem(const client_t *c, const char *what, const char *pem, char *path, size_t len) {
  char dir[512];
  if (jw_host_path(dir, sizeof dir, "tls") != 0) return -1;
  snprintf(path, len, "%s/client%d-%s.pem", dir, c->handle, what);
  FILE *f = fopen(path, "w");
  if (f == NULL) return -1;
  fputs(pem, f);
  fclose(f);
  return 0;
}

int jw_mqtt_connect(const jw_mqtt_options_t *o) {
  char host[128];
  int port;
  bool tls;
  if (!jw_mqtt_parse_url(o->url, host, sizeof host, &port, &tls)) return -1;
  pthread_mutex_lock(&table_mu);
  if (!lib_ready) {
    mosquitto_lib_init();
    lib_ready = 1;
  }
  client_t *c = NULL;
  for (int i = 0; i < JW_MQTT_MAX_CLIENTS && c == NULL; i++)
    if (clients[i].handle == 0) c = &clients[i];
  if (c == NULL) {
    pthread_mutex_unlock(&table_mu);
    return -1;
  }
  memset(c, 0, sizeof *c);
  c->handle = next_handle++;
  pthread_mutex_unlock(&table_mu);
  snprintf(c->host, sizeof c->host, "%s", host);
  c->port = port;
  c->keepalive = o->keepalive_sec > 0 ? o->keepalive_sec : 30;
  jw_asm_init(&c->asm_, o->max_message_bytes ? o->max_message_bytes : JW_MQTT_MAX_MESSAGE_DEFAULT, &queue_budget);
  c->mosq = mosquitto_new(o->client_id, o->clean_session, c);
  /* Small MQTT packets: Nagle + the broker's delayed ACK would add ~40 ms to a command's answer (as in
   * host/broker/embedded.ts). esp-mqtt does not delay them either. */
  if (c->mosq) mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, 1);
  if (c->mosq == NULL) goto fail;
  mosquitto_threaded_set(c->mosq, true);
  if (o->username) mosquitto_username_pw_set(c->mosq, o->username, o->password);
  if (o->will_topic)
    mosquitto_will_set(c->mosq, o->will_topic, (int)o->will_len, o->will_payload, o->will_qos, o->will_retain);
  if (tls) {
    char ca[600] = "", cert[600] = "", key[600] = "";
    int bad = o->ca_pem == NULL || write_pem(c, "ca", o->ca_pem, ca, sizeof ca) != 0;
    int mutual = o->cert_pem && o->key_pem;
    if (mutual) bad |= write_pem(c, "cert", o->cert_pem, cert, sizeof cert) | write_pem(c, "key", o->key_pem, key, sizeof key);
    if (bad || mosquitto_tls_set(c->mosq, ca, NULL, mutual ? cert : NULL, mutual ? key : NULL, NULL) != MOSQ_ERR_SUCCESS) {
      jw_log(JW_LOG_ERROR, "mqtt", "mqtts needs a CA certificate");
      goto fail;
    }
  }
  mosquitto_connect_with_flags_callback_set(c->mosq, on_connect);
  mosquitto_message_callback_set(c->mosq, on_message);
  mosquitto_subscribe_callback_set(c->mosq, on_subscribe);
  pthread_mutex_init(&c->mu, NULL);
  pthread_cond_init(&c->cv, NULL);
  c->state = ST_CONNECT;
  if (pthread_create(&c->thread, NULL, net_thread, c) != 0) goto fail;
  return c->handle;
fail:
  if (c->mosq) mosquitto_destroy(c->mosq);
  c->handle = 0;
  return -1;
}

int jw_mqtt_reconnect(int handle) {
  client_t *c = find(handle);
  if (c == NULL) return -1;
  pthread_mutex_lock(&c->mu);
  int ok = c->state == ST_IDLE;
  if (ok) c->state = ST_CONNECT;
  pthread_cond_signal(&c->cv);
  pthread_mutex_unlock(&c->mu);
  return ok ? 0 : -1;
}

static int online(client_t *c) {
  pthread_mutex_lock(&c->mu);
  int on = c->state == ST_ONLINE;
  pthread_mutex_unlock(&c->mu);
  return on;
}

int jw_mqtt_subscribe(int handle, const char *topic, int qos) {
  client_t *c = find(handle);
  int mid = 0;
  if (c == NULL || !online(c)) return -1;
  pthread_mutex_lock(&c->mu); /* under the lock: the SUBACK may come back before mosquitto_subscribe returns */
  int rc = mosquitto_subscribe(c->mosq, &mid, topic, qos);
  if (rc == MOSQ_ERR_SUCCESS) {
    int slot = c->sub_next++ % SUB_PENDING;
    c->sub_mid[slot] = mid;
    snprintf(c->sub_topic[slot], sizeof c->sub_topic[slot], "%s", topic);
  }
  pthread_mutex_unlock(&c->mu);
  return rc == MOSQ_ERR_SUCCESS ? mid : -1;
}

int jw_mqtt_unsubscribe(int handle, const char *topic) {
  client_t *c = find(handle);
  int mid = 0;
  if (c == NULL || !online(c) || mosquitto_unsubscribe(c->mosq, &mid, topic) != MOSQ_ERR_SUCCESS) return -1;
  return mid;
}

int jw_mqtt_publish(int handle, const char *topic, const uint8_t *data, size_t len, int qos, bool retain) {
  client_t *c = find(handle);
  int mid = 0;
  if (c == NULL || !online(c) || len > 256u * 1024u * 1024u) return -1;
  if (mosquitto_publish(c->mosq, &mid, topic, (int)len, data, qos, retain) != MOSQ_ERR_SUCCESS) return -1;
  return qos ? mid : 0;
}

void jw_mqtt_end(int handle) {
  client_t *c = find(handle);
  if (c == NULL) return;
  pthread_mutex_lock(&c->mu);
  c->state = ST_ENDING;
  pthread_cond_signal(&c->cv);
  pthread_mutex_unlock(&c->mu);
  mosquitto_disconnect(c->mosq);
  pthread_join(c->thread, NULL);
  mosquitto_destroy(c->mosq);
  jw_asm_reset(&c->asm_);
  pthread_mutex_destroy(&c->mu);
  pthread_cond_destroy(&c->cv);
  pthread_mutex_lock(&table_mu);
  c->handle = 0;
  pthread_mutex_unlock(&table_mu);
}

void jw_mqtt_host_link_down(void) {
  for (int i = 0; i < JW_MQTT_MAX_CLIENTS; i++) {
    client_t *c = &clients[i];
    pthread_mutex_lock(&table_mu);
    int live = c->handle != 0;
    pthread_mutex_unlock(&table_mu);
    if (!live) continue;
    pthread_mutex_lock(&c->mu);
    if (c->state == ST_ONLINE) c->link_lost = true;
    pthread_mutex_unlock(&c->mu);
  }
}
