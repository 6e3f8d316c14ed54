/**
 * esp-mqtt, simulated with mqtt.js: one connection attempt per call, no automatic reconnect (the app owns
 * backoff), and messages larger than maxMessageBytes dropped before they are copied into the sandbox.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { MqttConnectOptions, MqttHandlers, Native } from '../../../bindings/native.js';
import { checkType, type BoardContext } from './context.ts';
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
        ctx.invoke(e.handlers.onError, `oversize ${topic} ${payload.length}`);
        return;
      }
      ctx.invoke(e.handlers.onMessage, topic, ctx.sandbox.buffer(payload), { qos: packet.qos, retain: packet.retain, dup: packet.dup });
    });
    client.on('error', (err) => ctx.invoke(e.handlers.onError, err.message));
    client.on('close', () => {
      if (closed || e.client !== client) return;
      closed = true;
      kill(e);
      ctx.invoke(e.handlers.onClose, ctx.network.up ? 'connection closed' : 'network down');
    });
  };

  const entry = (h: number, fn: string): Entry => {
    const e = entries.get(h);
    checkType(e !== undefined, fn, `unknown client ${h}`);
    return e!;
  };
  const live = (e: Entry) => (e.client && e.client.connected ? e.client : null);

  return {
    mqttConnect(options, handlers) {
      checkType(typeof options?.url === 'string' && /^mqtts?:\/\//.test(options.url), 'mqttConnect', 'url must be mqtt:// or mqtts://');
      checkType(typeof options.clientId === 'string' && options.clientId.length > 0, 'mqttConnect', 'clientId is required');
      for (const k of ['onConnect', 'onMessage', 'onClose', 'onError'] as const) checkType(typeof handlers?.[k] === 'function', 'mqttConnect', `handlers.${k} must be a function`);
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
      const c = live(entry(h, 'mqttSubscribe'));
      if (!c) return -1;
      c.subscribe(topic, { qos });
      return ++msgId;
    },
    mqttUnsubscribe(h, topic) {
      const c = live(entry(h, 'mqttUnsubscribe'));
      if (!c) return -1;
      c.unsubscribe(topic);
      return ++msgId;
    },
    mqttPublish(h, topic, payload, qos, retain) {
      const c = live(entry(h, 'mqttPublish'));
      checkType(typeof topic === 'string' && topic.length > 0, 'mqttPublish', 'topic must be a non-empty string');
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
