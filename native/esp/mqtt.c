/* MQTT through esp-mqtt. Auto-reconnect is off (the app decides); DATA fragments are reassembled by
 * native/core/mqtt_asm.c up to max_message_bytes; larger messages, and messages the queue budget
 * (CONFIG_JERRYWATT_MQTT_QUEUE_BUDGET_KB, all clients together) has no room for, are skipped unallocated and reported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esp_crt_bundle.h"
#include "mqtt_client.h"
#include "sdkconfig.h"
#include "jw_events.h"
#include "jw_log.h"
#include "jw_mqtt.h"
#include "jw_mqtt_asm.h"
#include "mqtt_verify.h"

typedef struct {
  int handle;
  esp_mqtt_client_handle_t c;
  jw_mqtt_asm_t asm_;
  char *strings[9]; /* copies the client keeps pointing at: url, id, user, pass, ca, cert, key, will topic, payload */
  volatile bool online;
  volatile bool closed; /* a close was posted for this connection attempt */
} client_t;

static client_t clients[JW_MQTT_MAX_CLIENTS];
static int next_handle = 1;
static jw_budget_t queue_budget = {CONFIG_JERRYWATT_MQTT_QUEUE_BUDGET_KB * 1024u, 0, 0};

void jw_mqtt_set_queue_budget(uint32_t bytes) { jw_budget_set_limit(&queue_budget, bytes); }
uint32_t jw_mqtt_queue_budget_used(void) { return jw_budget_used(&queue_budget); }

static client_t *find(int handle) {
  for (int i = 0; i < JW_MQTT_MAX_CLIENTS; i++)
    if (clients[i].handle == handle && handle > 0) return &clients[i];
  return NULL;
}

static void post(int kind, client_t *c, int b, uint8_t flags, char *text, uint8_t *data, uint32_t len) {
  jw_event_t ev = {.kind = (uint8_t)kind, .flags = flags, .a = c->handle, .b = b, .text = text, .data = data, .len = len};
  jw_queue_post(&ev);
}

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *data) {
  (void)base;
  client_t *c = arg;
  esp_mqtt_event_handle_t e = data;
  switch ((esp_mqtt_event_id_t)id) {
    case MQTT_EVENT_CONNECTED:
      c->online = true;
      c->closed = false;
      post(JW_EV_MQTT_CONNECT, c, e->session_present, 0, NULL, NULL, 0);
      break;
    case MQTT_EVENT_DISCONNECTED:
      c->online = false;
      jw_asm_reset(&c->asm_);
      if (!c->closed) {
        c->closed = true;
        post(JW_EV_MQTT_CLOSE, c, 0, 0, strdup("disconnected"), NULL, 0);
      }
      break;
    case MQTT_EVENT_ERROR: {
      char why[96] = "error";
      if (e->error_handle && e->error_handle->error_type == MQTT_ERROR_TYPE_CONNECTION_REFUSED)
        snprintf(why, sizeof why, "refused: code %d", (int)e->error_handle->connect_return_code);
      else if (e->error_handle && e->error_handle->error_type == MQTT_ERROR_TYPE_TCP_TRANSPORT)
        snprintf(why, sizeof why, "transport: esp-tls 0x%x, errno %d", (unsigned)e->error_handle->esp_tls_last_esp_err,
                 e->error_handle->esp_transport_sock_errno);
      if (!c->online && !c->closed) { /* a failed attempt: the app sees one close, and retries when it wants */
        c->closed = true;
        post(JW_EV_MQTT_CLOSE, c, 0, 0, strdup(why), NULL, 0);
      } else {
        post(JW_EV_MQTT_ERROR, c, 0, 0, strdup(why), NULL, 0);
      }
      break;
    }
    case MQTT_EVENT_DATA: {
      uint8_t flags = (uint8_t)((e->qos & 3) | (e->retain ? JW_EV_FLAG_RETAIN : 0) | (e->dup ? JW_EV_FLAG_DUP : 0));
      jw_asm_result_t r = jw_asm_feed(&c->asm_, e->topic, (size_t)(e->topic_len > 0 ? e->topic_len : 0), (const uint8_t *)e->data,
                                      (size_t)e->data_len, (size_t)e->current_data_offset, (size_t)e->total_data_len, flags);
      if (r == JW_ASM_COMPLETE) {
        jw_event_t ev = {.a = c->handle};
        jw_asm_take_event(&c->asm_, &ev);
        jw_queue_post(&ev);
      } else if (r == JW_ASM_OVERSIZE || r == JW_ASM_QUEUE_FULL || r == JW_ASM_NO_MEMORY || r == JW_ASM_BAD_FRAGMENT) {
        post(JW_EV_MQTT_ERROR, c, (int)r, 0, strdup(c->asm_.topic), NULL, c->asm_.total); /* jw_mqtt.h: code, topic, size */
      }
      break;
    }
    default:
      break;
  }
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

int jw_mqtt_connect(const jw_mqtt_options_t *o) {
  char host[128];
  int port;
  bool tls;
  if (!jw_mqtt_parse_url(o->url, host, sizeof host, &port, &tls)) return -1;
  client_t *c = NULL;
  for (int i = 0; i < JW_MQTT_MAX_CLIENTS && c == NULL; i++)
    if (clients[i].handle == 0) c = &clients[i];
  if (c == NULL) return -1;
  memset(c, 0, sizeof *c);
  jw_asm_init(&c->asm_, o->max_message_bytes ? o->max_message_bytes : JW_MQTT_MAX_MESSAGE_DEFAULT, &queue_budget);
  /* esp-mqtt keeps pointers to certificates ("not copied nor freed by the client"): they live with the slot. */
  const char *src[9] = {o->url, o->client_id, o->username, o->password, o->ca_pem, o->cert_pem, o->key_pem, o->will_topic, NULL};
  for (int i = 0; i < 8; i++) c->strings[i] = dup_or_null(src[i]);
  if (o->will_topic) {
    c->strings[8] = malloc(o->will_len + 1);
    if (c->strings[8]) {
      memcpy(c->strings[8], o->will_payload, o->will_len);
      c->strings[8][o->will_len] = '\0';
    }
  }
  esp_mqtt_client_config_t cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.broker.address.uri = c->strings[0];
  switch (jw_mqtt_verify(tls, c->strings[4])) {
    case JW_VERIFY_CA: cfg.broker.verification.certificate = c->strings[4]; break;
    case JW_VERIFY_BUNDLE: cfg.broker.verification.crt_bundle_attach = esp_crt_bundle_attach; break;
    case JW_VERIFY_NONE: break;
  }
  cfg.credentials.client_id = c->strings[1];
  cfg.credentials.username = c->strings[2];
  cfg.credentials.authentication.password = c->strings[3];
  cfg.credentials.authentication.certificate = c->strings[5];
  cfg.credentials.authentication.key = c->strings[6];
  cfg.session.keepalive = o->keepalive_sec > 0 ? o->keepalive_sec : 30;
  cfg.session.disable_clean_session = !o->clean_session;
  if (o->will_topic) {
    cfg.session.last_will.topic = c->strings[7];
    cfg.session.last_will.msg = c->strings[8];
    cfg.session.last_will.msg_len = (int)o->will_len;
    cfg.session.last_will.qos = o->will_qos;
    cfg.session.last_will.retain = o->will_retain;
  }
  cfg.network.disable_auto_reconnect = true;
  c->c = esp_mqtt_client_init(&cfg);
  if (c->c == NULL) goto fail;
  c->handle = next_handle++;
  esp_mqtt_client_register_event(c->c, MQTT_EVENT_ANY, on_event, c);
  if (esp_mqtt_client_start(c->c) != ESP_OK) goto fail;
  return c->handle;
fail:
  if (c->c) esp_mqtt_client_destroy(c->c);
  for (int i = 0; i < 9; i++) free(c->strings[i]);
  memset(c, 0, sizeof *c);
  return -1;
}

int jw_mqtt_reconnect(int handle) {
  client_t *c = find(handle);
  if (c == NULL || c->online) return -1;
  c->closed = false;
  return esp_mqtt_client_reconnect(c->c) == ESP_OK ? 0 : -1;
}

int jw_mqtt_subscribe(int handle, const char *topic, int qos) {
  client_t *c = find(handle);
  if (c == NULL || !c->online) return -1;
  int id = esp_mqtt_client_subscribe_single(c->c, topic, qos);
  return id < 0 ? -1 : id;
}

int jw_mqtt_unsubscribe(int handle, const char *topic) {
  client_t *c = find(handle);
  if (c == NULL || !c->online) return -1;
  int id = esp_mqtt_client_unsubscribe(c->c, topic);
  return id < 0 ? -1 : id;
}

int jw_mqtt_publish(int handle, const char *topic, const uint8_t *data, size_t len, int qos, bool retain) {
  client_t *c = find(handle);
  if (c == NULL || !c->online) return -1;
  /* enqueue: the JS task never blocks on the network (esp_mqtt_client_publish may block for seconds). */
  /* len 0 makes esp-mqtt take strlen(data): give it an empty string, never an unterminated buffer. */
  int id = esp_mqtt_client_enqueue(c->c, topic, len ? (const char *)data : "", (int)len, qos, retain, true);
  return id < 0 ? -1 : id;
}

void jw_mqtt_end(int handle) {
  client_t *c = find(handle);
  if (c == NULL) return;
  esp_mqtt_client_stop(c->c);
  esp_mqtt_client_destroy(c->c);
  jw_asm_reset(&c->asm_);
  for (int i = 0; i < 9; i++) free(c->strings[i]);
  memset(c, 0, sizeof *c);
}
