/* One MQTT connection per handle; events (connect, message, close, error) go to the queue. The native side
 * never reconnects by itself. Messages are reassembled up to max_message_bytes (jw_mqtt_asm.h). */
#ifndef JW_MQTT_H
#define JW_MQTT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MQTT_MAX_CLIENTS 4
/* Largest message handed to the app when the caller passes max_message_bytes 0. The device always passes its
 * mqttMaxMsg setting, whose default (device/settings/keys.ts) is the one definition of this limit; the simulated
 * board reads it from there, and test/layers/message-limit.test.ts compiles this header to check they agree. */
#define JW_MQTT_MAX_MESSAGE_DEFAULT 8192u
/* Bytes that queued, not yet consumed message payloads of all clients may hold together. The device takes it from
 * Kconfig (JERRYWATT_MQTT_QUEUE_BUDGET_KB, default 24), the host twin from here; test/firmware checks they agree.
 * A message beyond it is dropped before it is allocated and reported as `dropped <topic> <bytes> queue-full`. */
#define JW_MQTT_QUEUE_BUDGET_DEFAULT (24u * 1024u)

/* JW_EV_MQTT_ERROR events: b is the code, text the topic (or, for JW_MQTT_ERR_TRANSPORT, the message), len the
 * message size. Codes: JW_MQTT_ERR_TRANSPORT, the jw_asm_result_t of a dropped message (OVERSIZE, QUEUE_FULL,
 * NO_MEMORY, BAD_FRAGMENT; jw_mqtt_asm.h), or JW_MQTT_ERR_SUBSCRIBE_REFUSED. bindings/b_mqtt.c turns them into
 * the contract's MqttError codes. */
#define JW_MQTT_ERR_TRANSPORT 0
#define JW_MQTT_ERR_SUBSCRIBE_REFUSED 100

typedef struct {
  const char *url; /* mqtt://host:port or mqtts://host:port */
  const char *client_id;
  const char *username;  /* NULL = none */
  const char *password;
  const char *ca_pem;
  const char *cert_pem;
  const char *key_pem;
  int keepalive_sec;
  bool clean_session;
  const char *will_topic; /* NULL = no will */
  const uint8_t *will_payload;
  size_t will_len;
  int will_qos;
  bool will_retain;
  uint32_t max_message_bytes;
} jw_mqtt_options_t;

/* The options are copied. Returns a handle > 0, or -1 (no free slot, bad URL, out of memory). */
int jw_mqtt_connect(const jw_mqtt_options_t *opts);
int jw_mqtt_reconnect(int client);
/* Message id >= 0, or -1 when not connected or the outbox is full. */
int jw_mqtt_subscribe(int client, const char *topic, int qos);
int jw_mqtt_unsubscribe(int client, const char *topic);
int jw_mqtt_publish(int client, const char *topic, const uint8_t *data, size_t len, int qos, bool retain);
void jw_mqtt_end(int client);
/* Changes the queue budget (bytes) for later messages. */
void jw_mqtt_set_queue_budget(uint32_t bytes);
/* Payload bytes queued now and not yet consumed (released when the JS task is done with a message). */
uint32_t jw_mqtt_queue_budget_used(void);
/* Parses mqtt[s]://host[:port]; host is NUL-terminated into `host`. Returns false on a bad URL. */
bool jw_mqtt_parse_url(const char *url, char *host, size_t host_len, int *port, bool *tls);
#endif
