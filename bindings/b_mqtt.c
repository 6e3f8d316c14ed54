#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jw_events.h"
#include "jw_js.h"
#include "jw_mqtt.h"

#define PEM_MAX 8192

typedef struct {
  int client; /* 0 = free */
  jerry_value_t handlers;
} js_client_t;
static js_client_t clients[JW_MQTT_MAX_CLIENTS];

static js_client_t *find(int client) {
  for (int i = 0; i < JW_MQTT_MAX_CLIENTS; i++)
    if (clients[i].client == client && client != 0) return &clients[i];
  return NULL;
}

JW_HANDLER(jw_b_mqtt_connect) {
  (void)call;
  if (argc < 2 || !jerry_value_is_object(args[0]) || !jerry_value_is_object(args[1]))
    return jw_type_error("mqttConnect", "(options: object, handlers: object)");
  static const char *const needed[] = {"onConnect", "onMessage", "onClose", "onError"};
  for (int i = 0; i < 4; i++) {
    jerry_value_t f = jerry_object_get_sz(args[1], needed[i]);
    bool ok = jerry_value_is_function(f);
    jerry_value_free(f);
    if (!ok) return jw_type_error("mqttConnect", "handlers need onConnect, onMessage, onClose, onError");
  }
  js_client_t *slot = NULL;
  for (int i = 0; i < JW_MQTT_MAX_CLIENTS && slot == NULL; i++)
    if (clients[i].client == 0) slot = &clients[i];
  if (slot == NULL) return jerry_throw_sz(JERRY_ERROR_RANGE, "native.mqttConnect: too many clients");

  char url[256], client_id[128], will_topic[256];
  if (!jw_get_str(args[0], "url", url, sizeof url) || !jw_get_str(args[0], "clientId", client_id, sizeof client_id))
    return jw_type_error("mqttConnect", "options.url and options.clientId must be strings");
  jw_mqtt_options_t o;
  memset(&o, 0, sizeof o);
  o.url = url;
  o.client_id = client_id;
  char *user = jw_get_str_alloc(args[0], "username", 256), *pass = jw_get_str_alloc(args[0], "password", 256);
  char *ca = jw_get_str_alloc(args[0], "caPem", PEM_MAX), *cert = jw_get_str_alloc(args[0], "certPem", PEM_MAX);
  char *key = jw_get_str_alloc(args[0], "keyPem", PEM_MAX), *will_payload = NULL;
  o.username = user;
  o.password = pass;
  o.ca_pem = ca;
  o.cert_pem = cert;
  o.key_pem = key;
  double d;
  o.keepalive_sec = jw_get_num(args[0], "keepaliveSec", &d) ? (int)d : 30;
  bool clean = true;
  jw_get_bool(args[0], "cleanSession", &clean);
  o.clean_session = clean;
  o.max_message_bytes = jw_get_num(args[0], "maxMessageBytes", &d) && d > 0 ? (uint32_t)d : 0; /* 0: the runtime's default */
  jerry_value_t will = jerry_object_get_sz(args[0], "will");
  if (jerry_value_is_object(will) && jw_get_str(will, "topic", will_topic, sizeof will_topic)) {
    will_payload = jw_get_str_alloc(will, "payload", 4096);
    bool retain = false;
    o.will_topic = will_topic;
    o.will_payload = (const uint8_t *)(will_payload ? will_payload : "");
    o.will_len = will_payload ? strlen(will_payload) : 0;
    o.will_qos = jw_get_num(will, "qos", &d) ? (int)d : 0;
    jw_get_bool(will, "retain", &retain);
    o.will_retain = retain;
  }
  jerry_value_free(will);
  int client = jw_mqtt_connect(&o); /* copies what it keeps */
  free(user), free(pass), free(ca), free(cert), free(key), free(will_payload);
  if (client <= 0) return jerry_throw_sz(JERRY_ERROR_RANGE, "native.mqttConnect: could not start a client (bad url or no memory)");
  slot->client = client;
  slot->handlers = jerry_value_copy(args[1]);
  return jerry_number(client);
}

static int client_arg(const jerry_value_t args[], jerry_length_t argc) {
  return jw_is_number(args, argc, 0) ? (int)jw_num(args, argc, 0) : -1;
}

JW_HANDLER(jw_b_mqtt_reconnect) {
  (void)call;
  int c = client_arg(args, argc);
  if (c < 0) return jw_type_error("mqttReconnect", "client must be a number");
  if (find(c)) jw_mqtt_reconnect(c);
  return jerry_undefined();
}

JW_HANDLER(jw_b_mqtt_subscribe) {
  (void)call;
  char topic[256];
  int c = client_arg(args, argc);
  if (c < 0 || argc < 3 || !jw_str(args[1], topic, sizeof topic)) return jw_type_error("mqttSubscribe", "(client, topic, qos)");
  return jerry_number(find(c) ? jw_mqtt_subscribe(c, topic, jw_num(args, argc, 2) >= 1 ? 1 : 0) : -1);
}

JW_HANDLER(jw_b_mqtt_unsubscribe) {
  (void)call;
  char topic[256];
  int c = client_arg(args, argc);
  if (c < 0 || argc < 2 || !jw_str(args[1], topic, sizeof topic)) return jw_type_error("mqttUnsubscribe", "(client, topic)");
  return jerry_number(find(c) ? jw_mqtt_unsubscribe(c, topic) : -1);
}

JW_HANDLER(jw_b_mqtt_publish) {
  (void)call;
  char topic[256];
  const uint8_t *p;
  size_t len;
  uint8_t *tmp;
  int c = client_arg(args, argc);
  if (c < 0 || argc < 5 || !jw_str(args[1], topic, sizeof topic)) return jw_type_error("mqttPublish", "(client, topic, payload, qos, retain)");
  if (!jw_bytes(args[2], &p, &len, &tmp)) return jw_type_error("mqttPublish", "payload must be an ArrayBuffer or a string");
  int r = find(c) ? jw_mqtt_publish(c, topic, p, len, jw_num(args, argc, 3) >= 1 ? 1 : 0, jerry_value_to_boolean(args[4])) : -1;
  free(tmp);
  return jerry_number(r);
}

static void forget(js_client_t *s) {
  jerry_value_free(s->handlers);
  s->client = 0;
  s->handlers = 0;
}

JW_HANDLER(jw_b_mqtt_end) {
  (void)call;
  int c = client_arg(args, argc);
  js_client_t *s = find(c);
  if (s == NULL) return jerry_undefined();
  forget(s); /* first: no callback follows, even for events already queued */
  jw_mqtt_end(c);
  return jerry_undefined();
}

static void call_handler(js_client_t *s, const char *name, const jerry_value_t *argv, jerry_length_t n) {
  jerry_value_t h = jerry_value_copy(s->handlers); /* the callback may end the client */
  jerry_value_t fn = jerry_object_get_sz(h, name);
  if (jerry_value_is_function(fn)) jw_vm_call(fn, argv, n);
  jerry_value_free(fn);
  jerry_value_free(h);
}

void jw_mqtt_dispatch(int kind, int client, int b, uint8_t flags, const char *text, const uint8_t *data, uint32_t len) {
  js_client_t *s = find(client);
  if (s == NULL) return; /* ended: drop silently, as the contract says */
  if (kind == JW_EV_MQTT_CONNECT) {
    jerry_value_t a = jerry_boolean(b != 0);
    call_handler(s, "onConnect", &a, 1);
  } else if (kind == JW_EV_MQTT_MESSAGE) {
    jerry_value_t payload = jw_bytes_new(data, len);
    if (jerry_value_is_exception(payload)) { /* JS heap full: report, do not fault */
      jerry_value_free(payload);
      char why[320];
      snprintf(why, sizeof why, "no memory for %s %u", text ? text : "", (unsigned)len);
      jerry_value_t m = jw_utf8(why);
      call_handler(s, "onError", &m, 1);
      jerry_value_free(m);
      return;
    }
    jerry_value_t info = jerry_object();
    jw_set_num(info, "qos", flags & 3);
    jw_set_bool(info, "retain", (flags & JW_EV_FLAG_RETAIN) != 0);
    jw_set_bool(info, "dup", (flags & JW_EV_FLAG_DUP) != 0);
    jerry_value_t argv[3] = {jw_utf8(text), payload, info};
    call_handler(s, "onMessage", argv, 3);
    for (int i = 0; i < 3; i++) jerry_value_free(argv[i]);
  } else {
    jerry_value_t m = jw_utf8(text);
    call_handler(s, kind == JW_EV_MQTT_CLOSE ? "onClose" : "onError", &m, 1);
    jerry_value_free(m);
  }
}

void jw_mqtt_release(void);
void jw_mqtt_release(void) {
  for (int i = 0; i < JW_MQTT_MAX_CLIENTS; i++)
    if (clients[i].client) {
      int c = clients[i].client;
      forget(&clients[i]);
      jw_mqtt_end(c);
    }
}
