#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jw_events.h"
#include "jw_js.h"
#include "jw_mqtt.h"
#include "jw_mqtt_asm.h"


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

/* An optional string option: absent (NULL, ok), or a copy within `max` bytes. Never silently dropped: a wrong
 * type or an over-long value makes *err the exception to throw. */
static char *opt_str(jerry_value_t obj, const char *key, size_t max, const char *what, jerry_value_t *err) {
  jerry_value_t v = jerry_object_get_sz(obj, key);
  char *out = NULL;
  if (jerry_value_is_undefined(v)) {
  } else if (!jerry_value_is_string(v)) {
    *err = jw_type_error("mqttConnect", what);
  } else if (jw_utf8_size(v) > max) {
    *err = jw_range_error("mqttConnect", what);
  } else {
    out = jw_str_alloc(v, max);
    if (out == NULL) *err = jw_limit_error("mqttConnect", "no memory for the options");
  }
  jerry_value_free(v);
  return out;
}

static bool url_ok(const char *url) {
  char host[128];
  int port;
  bool tls;
  return jw_mqtt_parse_url(url, host, sizeof host, &port, &tls);
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
  jerry_value_t url_v = jerry_object_get_sz(args[0], "url"), id_v = jerry_object_get_sz(args[0], "clientId");
  bool strings = jerry_value_is_string(url_v) && jerry_value_is_string(id_v);
  bool fits = strings && jw_utf8_size(url_v) <= JW_LIMIT_URL && jw_utf8_size(id_v) <= JW_LIMIT_CLIENT_ID;
  char url[JW_LIMIT_URL + 1] = "", client_id[JW_LIMIT_CLIENT_ID + 1] = "";
  if (fits) {
    jw_str(url_v, url, sizeof url);
    jw_str(id_v, client_id, sizeof client_id);
  }
  jerry_value_free(url_v);
  jerry_value_free(id_v);
  if (!strings) return jw_type_error("mqttConnect", "options.url and options.clientId must be strings");
  if (!fits) return jw_range_error("mqttConnect", "url over 255 bytes or clientId over 127");
  if (!url_ok(url)) return jw_type_error("mqttConnect", "url must be mqtt://host[:port] or mqtts://host[:port]");
  if (client_id[0] == '\0') return jw_type_error("mqttConnect", "clientId is required");

  jw_mqtt_options_t o;
  memset(&o, 0, sizeof o);
  o.url = url;
  o.client_id = client_id;
  jerry_value_t err = 0;
  char will_topic[JW_LIMIT_TOPIC + 1] = "";
  char *user = opt_str(args[0], "username", JW_LIMIT_CREDENTIAL, "options.username: a string of at most 256 bytes", &err);
  char *pass = err ? NULL : opt_str(args[0], "password", JW_LIMIT_CREDENTIAL, "options.password: a string of at most 256 bytes", &err);
  char *ca = err ? NULL : opt_str(args[0], "caPem", JW_LIMIT_PEM, "options.caPem: a string of at most 8192 bytes", &err);
  char *cert = err ? NULL : opt_str(args[0], "certPem", JW_LIMIT_PEM, "options.certPem: a string of at most 8192 bytes", &err);
  char *key = err ? NULL : opt_str(args[0], "keyPem", JW_LIMIT_PEM, "options.keyPem: a string of at most 8192 bytes", &err);
  char *will_payload = NULL;
  double d;
  jerry_value_t will = jerry_object_get_sz(args[0], "will");
  if (!err && !jerry_value_is_undefined(will)) {
    jerry_value_t t = jerry_value_is_object(will) ? jerry_object_get_sz(will, "topic") : jerry_undefined();
    if (!jerry_value_is_object(will)) err = jw_type_error("mqttConnect", "options.will must be an object");
    else if (!jerry_value_is_string(t)) err = jw_type_error("mqttConnect", "options.will.topic must be a string");
    else if (jw_utf8_size(t) == 0 || jw_utf8_size(t) > JW_LIMIT_TOPIC) err = jw_range_error("mqttConnect", "topic must be 1..255 bytes");
    else jw_str(t, will_topic, sizeof will_topic);
    jerry_value_free(t);
    if (!err) will_payload = opt_str(will, "payload", JW_LIMIT_WILL_PAYLOAD, "options.will.payload: a string of at most 4096 bytes", &err);
    if (!err) {
      bool retain = false;
      o.will_topic = will_topic;
      o.will_payload = (const uint8_t *)(will_payload ? will_payload : "");
      o.will_len = will_payload ? strlen(will_payload) : 0;
      o.will_qos = jw_get_num(will, "qos", &d) && d >= 1 ? 1 : 0;
      jw_get_bool(will, "retain", &retain);
      o.will_retain = retain;
    }
  }
  jerry_value_free(will);
  js_client_t *slot = NULL;
  for (int i = 0; i < JW_MQTT_MAX_CLIENTS && slot == NULL; i++)
    if (clients[i].client == 0) slot = &clients[i];
  if (!err && slot == NULL) err = jw_limit_error("mqttConnect", "too many clients");
  int client = -1;
  if (!err) {
    o.username = user;
    o.password = pass;
    o.ca_pem = ca;
    o.cert_pem = cert;
    o.key_pem = key;
    o.keepalive_sec = jw_get_num(args[0], "keepaliveSec", &d) ? (int)d : 30;
    bool clean = true;
    jw_get_bool(args[0], "cleanSession", &clean);
    o.clean_session = clean;
    o.max_message_bytes = jw_get_num(args[0], "maxMessageBytes", &d) && d > 0 ? (uint32_t)d : 0; /* 0: the runtime's default */
    client = jw_mqtt_connect(&o); /* copies what it keeps */
    if (client <= 0) err = jw_limit_error("mqttConnect", "could not start a client (no memory, or TLS without a CA)");
  }
  free(user), free(pass), free(ca), free(cert), free(key), free(will_payload);
  if (err) return err;
  slot->client = client;
  slot->handlers = jerry_value_copy(args[1]);
  return jerry_number(client);
}

/* The client argument: EARG when not a number, EHANDLE when no such client is open. */
static jerry_value_t client_arg(const jerry_value_t args[], jerry_length_t argc, const char *fn, int *out) {
  if (!jw_is_number(args, argc, 0)) return jw_type_error(fn, "client must be a number");
  *out = (int)jw_num(args, argc, 0);
  if (find(*out) == NULL) return jw_handle_error(fn, "no such client (never opened, or ended)");
  return 0;
}

/* The topic argument: EARG when not a string, ERANGE when empty or over 255 bytes. */
static jerry_value_t topic_arg(const jerry_value_t args[], jerry_length_t argc, jerry_length_t i, const char *fn, char *topic) {
  if (!jw_is_string(args, argc, i)) return jw_type_error(fn, "topic must be a string");
  size_t n = jw_utf8_size(args[i]);
  if (n == 0 || n > JW_LIMIT_TOPIC) return jw_range_error(fn, "topic must be 1..255 bytes");
  jw_str(args[i], topic, JW_LIMIT_TOPIC + 1);
  return 0;
}

JW_HANDLER(jw_b_mqtt_reconnect) {
  (void)call;
  int c;
  jerry_value_t e = client_arg(args, argc, "mqttReconnect", &c);
  if (e) return e;
  jw_mqtt_reconnect(c);
  return jerry_undefined();
}

JW_HANDLER(jw_b_mqtt_subscribe) {
  (void)call;
  char topic[JW_LIMIT_TOPIC + 1];
  int c;
  jerry_value_t e = topic_arg(args, argc, 1, "mqttSubscribe", topic);
  if (!e) e = client_arg(args, argc, "mqttSubscribe", &c);
  if (e) return e;
  return jerry_number(jw_mqtt_subscribe(c, topic, jw_num(args, argc, 2) >= 1 ? 1 : 0));
}

JW_HANDLER(jw_b_mqtt_unsubscribe) {
  (void)call;
  char topic[JW_LIMIT_TOPIC + 1];
  int c;
  jerry_value_t e = topic_arg(args, argc, 1, "mqttUnsubscribe", topic);
  if (!e) e = client_arg(args, argc, "mqttUnsubscribe", &c);
  if (e) return e;
  return jerry_number(jw_mqtt_unsubscribe(c, topic));
}

JW_HANDLER(jw_b_mqtt_publish) {
  (void)call;
  char topic[JW_LIMIT_TOPIC + 1];
  const uint8_t *p;
  size_t len;
  uint8_t *tmp;
  int c;
  jerry_value_t e = topic_arg(args, argc, 1, "mqttPublish", topic);
  if (e) return e;
  if (argc < 3 || !(jerry_value_is_arraybuffer(args[2]) || jerry_value_is_string(args[2])))
    return jw_type_error("mqttPublish", "payload must be an ArrayBuffer or a string");
  e = client_arg(args, argc, "mqttPublish", &c);
  if (e) return e;
  if (!jw_bytes(args[2], &p, &len, &tmp)) return jw_range_error("mqttPublish", "payload over 1 MB");
  int r = jw_mqtt_publish(c, topic, p, len, jw_num(args, argc, 3) >= 1 ? 1 : 0, argc > 4 && jerry_value_to_boolean(args[4]));
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
  if (!jw_is_number(args, argc, 0)) return jw_type_error("mqttEnd", "client must be a number");
  int c = (int)jw_num(args, argc, 0);
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

/* onError({code, message, topic?, bytes?}) from a JW_EV_MQTT_ERROR (jw_mqtt.h: b = code, text = topic or message,
 * len = message size). The codes are the contract's MqttErrorCode; the message is for people. */
static void report_error(js_client_t *s, int code, const char *text, uint32_t len) {
  const char *name = code == JW_ASM_OVERSIZE             ? "oversize"
                     : code == JW_ASM_QUEUE_FULL         ? "queue-full"
                     : code == JW_ASM_NO_MEMORY          ? "no-memory"
                     : code == JW_ASM_BAD_FRAGMENT       ? "bad-fragment"
                     : code == JW_MQTT_ERR_SUBSCRIBE_REFUSED ? "subscribe-refused"
                                                         : "transport";
  char msg[JW_LIMIT_TOPIC + 64];
  bool has_topic = strcmp(name, "transport") != 0 && text != NULL;
  if (!has_topic) snprintf(msg, sizeof msg, "%s", text ? text : "error");
  else if (code == JW_MQTT_ERR_SUBSCRIBE_REFUSED) snprintf(msg, sizeof msg, "subscribe refused %s", text);
  else snprintf(msg, sizeof msg, "%s %s %u", name, text, (unsigned)len);
  jerry_value_t e = jerry_object();
  jw_set_str(e, "code", name);
  jw_set_val(e, "message", jw_utf8(msg));
  if (has_topic) jw_set_val(e, "topic", jw_utf8(text));
  if (has_topic && code != JW_MQTT_ERR_SUBSCRIBE_REFUSED) jw_set_num(e, "bytes", len);
  call_handler(s, "onError", &e, 1);
  jerry_value_free(e);
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
      report_error(s, JW_ASM_NO_MEMORY, text, len);
      return;
    }
    jerry_value_t info = jerry_object();
    jw_set_num(info, "qos", flags & 3);
    jw_set_bool(info, "retain", (flags & JW_EV_FLAG_RETAIN) != 0);
    jw_set_bool(info, "dup", (flags & JW_EV_FLAG_DUP) != 0);
    jerry_value_t argv[3] = {jw_utf8(text), payload, info};
    call_handler(s, "onMessage", argv, 3);
    for (int i = 0; i < 3; i++) jerry_value_free(argv[i]);
  } else if (kind == JW_EV_MQTT_ERROR) {
    report_error(s, b, text, len);
  } else {
    jerry_value_t m = jw_utf8(text);
    call_handler(s, "onClose", &m, 1);
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
