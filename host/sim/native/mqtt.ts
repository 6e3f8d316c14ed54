/**
 * esp-mqtt, simulated with mqtt.js: one connection attempt per call, no automatic reconnect (the app owns
 * backoff), and messages larger than maxMessageBytes dropped before they are copied into the sandbox.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { MqttConnectOptions, MqttError, MqttHandlers, Native } from '../../../bindings/native.js';
import { NATIVE_LIMITS } from '../../../bindings/contract.ts';
import { checkRange, checkType, fail, utf8Bytes, type BoardContext } from './context.ts';
import { SETTINGS } from '../../../device/settings/keys.ts';

interface Entry {
  options: MqttConnectOptions;
  handlers: MqttHandlers;
  client: MqttClient | null;
}

/** esp-mqtt's default outbox limit is memory; ours is a count, so a stuck broker cannot grow it without bound. */
const OUTBOX_LIMIT = 64;
/** The device's mqttMaxMsg default, for a caller that passes none (the app always passes its setting). */
const DEFAULT_MAX_MESSAGE = SETTINGS.mqttMaxMsg.default;

export function mqttNative(ctx: BoardContext): Pick<Native, 'mqttConnect' | 'mqttReconnect' | 'mqttSubscribe' | 'mqttUnsubscribe' | 'mqttPublish' | 'mqttEnd'> {
  const entries = new Map<number, Entry>();
  let next = 0;
  let msgId = 0;

  const kill = (e: Entry) => {
    const c = e.client;
    e.client = null;
    if (!c) return;
    c.removeAllListeners();
    c.on('error', () => {});
    // Like a power cut or a dropped link: no DISCONNECT, so the broker publishes the will.
    c.stream?.destroy();
    c.end(true);
  };
  const onNetDown = () => {
    for (const e of entries.values()) if (e.client) e.client.stream?.destroy();
  };
  ctx.network.on('down', onNetDown);
  ctx.disposers.push(() => {
    ctx.network.off('down', onNetDown);
    for (const e of entries.values()) kill(e);
    entries.clear();
  });

  /** onError with a code, as an object of the sandbox's realm. */
  const report = (e: Entry, err: MqttError) => {
    const o = ctx.sandbox.run('({})', 'mqtt') as MqttError;
    ctx.invoke(e.handlers.onError, Object.assign(o, err));
  };

  const open = (e: Entry) => {
    const o = e.options;
    if (!ctx.network.up) {
      setImmediate(() => ctx.alive && ctx.invoke(e.handlers.onClose, 'network down'));
      return;
    }
    const client = mqtt.connect(o.url, {
      clientId: o.clientId,
      username: o.username,
      password: o.password,
      ca: o.caPem,
      cert: o.certPem,
      key: o.keyPem,
      keepalive: o.keepaliveSec ?? 30,
      clean: o.cleanSession ?? true,
      will: o.will ? { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: o.will.qos, retain: o.will.retain } : undefined,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      protocolVersion: 4,
      resubscribe: false,
    });
    e.client = client;
    let closed = false;
    const max = o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
    client.on('connect', (ack) => ctx.invoke(e.handlers.onConnect, ack.sessionPresent));
    client.on('message', (topic, payload, packet) => {
      if (payload.length > max) {
        report(e, { code: 'oversize', message: `oversize ${topic} ${payload.length}`, topic, bytes: payload.length });
        return;
      }
      ctx.invoke(e.handlers.onMessage, topic, ctx.sandbox.buffer(payload), { qos: packet.qos, retain: packet.retain, dup: packet.dup });
    });
    client.on('error', (err) => report(e, { code: 'transport', message: err.message }));
    client.on('close', () => {
      if (closed || e.client !== client) return;
      closed = true;
      kill(e);
      ctx.invoke(e.handlers.onClose, ctx.network.up ? 'connection closed' : 'network down');
    });
  };

  const entry = (h: number, fn: string): Entry => {
    checkType(typeof h === 'number', fn, 'client must be a number');
    const e = entries.get(h);
    if (e === undefined) fail('EHANDLE', fn, `unknown client ${h}`);
    return e;
  };
  const topicOk = (topic: unknown, fn: string) => {
    checkType(typeof topic === 'string', fn, 'topic must be a string');
    checkRange((topic as string).length > 0 && utf8Bytes(topic as string) <= NATIVE_LIMITS.topicBytes, fn, 'topic must be 1..255 bytes');
  };
  /** An optional string option: absent, or a string within `max` bytes (never silently dropped). */
  const optional = (o: Record<string, unknown>, k: string, max: number, what = `options.${k}`) => {
    const v = o[k];
    if (v === undefined) return;
    checkType(typeof v === 'string', 'mqttConnect', `${what} must be a string`);
    checkRange(utf8Bytes(v as string) <= max, 'mqttConnect', `${what} is over ${max} bytes`);
  };
  const live = (e: Entry) => (e.client && e.client.connected ? e.client : null);

  return {
    mqttConnect(options, handlers) {
      checkType(typeof options === 'object' && options !== null && typeof handlers === 'object' && handlers !== null, 'mqttConnect', '(options: object, handlers: object)');
      for (const k of ['onConnect', 'onMessage', 'onClose', 'onError'] as const) checkType(typeof handlers[k] === 'function', 'mqttConnect', `handlers.${k} must be a function`);
      checkType(typeof options.url === 'string' && typeof options.clientId === 'string', 'mqttConnect', 'options.url and options.clientId must be strings');
      checkRange(utf8Bytes(options.url) <= NATIVE_LIMITS.urlBytes && utf8Bytes(options.clientId) <= NATIVE_LIMITS.clientIdBytes, 'mqttConnect', 'url over 255 bytes or clientId over 127');
      checkType(/^mqtts?:\/\/[^/:]+(:\d+)?\/?$/.test(options.url), 'mqttConnect', 'url must be mqtt://host[:port] or mqtts://host[:port]');
      checkType(options.clientId.length > 0, 'mqttConnect', 'clientId is required');
      const o = options as unknown as Record<string, unknown>;
      optional(o, 'username', NATIVE_LIMITS.credentialBytes);
      optional(o, 'password', NATIVE_LIMITS.credentialBytes);
      for (const k of ['caPem', 'certPem', 'keyPem']) optional(o, k, NATIVE_LIMITS.pemBytes);
      if (options.will !== undefined) {
        checkType(typeof options.will === 'object' && options.will !== null, 'mqttConnect', 'options.will must be an object');
        topicOk(options.will.topic, 'mqttConnect');
        optional(options.will as unknown as Record<string, unknown>, 'payload', NATIVE_LIMITS.willPayloadBytes, 'options.will.payload');
      }
      if (entries.size >= NATIVE_LIMITS.mqttClients) fail('ELIMIT', 'mqttConnect', 'too many clients');
      const h = ++next;
      const e: Entry = { options: { ...options }, handlers, client: null };
      entries.set(h, e);
      open(e);
      return h;
    },
    mqttReconnect(h) {
      const e = entry(h, 'mqttReconnect');
      kill(e);
      open(e);
    },
    mqttSubscribe(h, topic, qos) {
      topicOk(topic, 'mqttSubscribe');
      const e = entry(h, 'mqttSubscribe');
      const c = live(e);
      if (!c) return -1;
      c.subscribe(topic, { qos }, (err) => {
        // SUBACK 0x80 (mqtt.js: "Subscribe error: ..."): the broker refused it. The app hears it with a code, and
        // subscribes again later. (A connection lost before the SUBACK ends up here too; subscribing again is right.)
        if (err && e.client === c && ctx.alive) report(e, { code: 'subscribe-refused', message: `subscribe refused ${topic}`, topic });
      });
      return ++msgId;
    },
    mqttUnsubscribe(h, topic) {
      topicOk(topic, 'mqttUnsubscribe');
      const c = live(entry(h, 'mqttUnsubscribe'));
      if (!c) return -1;
      c.unsubscribe(topic);
      return ++msgId;
    },
    mqttPublish(h, topic, payload, qos, retain) {
      topicOk(topic, 'mqttPublish');
      const isBytes = (payload as unknown) instanceof ctx.sandbox.ArrayBuffer || (payload as unknown) instanceof ArrayBuffer;
      checkType(typeof payload === 'string' || isBytes, 'mqttPublish', 'payload must be an ArrayBuffer or a string');
      const c = live(entry(h, 'mqttPublish'));
      if (!c) return -1;
      if (c.queue.length + Object.keys(c.outgoing).length >= OUTBOX_LIMIT) return -1;
      const body = typeof payload === 'string' ? payload : Buffer.from(new Uint8Array(payload));
      c.publish(topic, body, { qos, retain });
      return ++msgId;
    },
    mqttEnd(h) {
      const e = entries.get(h);
      if (!e) return;
      const c = e.client;
      e.client = null;
      entries.delete(h);
      c?.removeAllListeners();
      c?.on('error', () => {});
      c?.end(false);
    },
  };
}
