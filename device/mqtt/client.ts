/**
 * The device polyfill: an mqtt.js-shaped client over `native`, so device code reads like Node MQTT code.
 * Differences from mqtt.js, on purpose: payloads are Uint8Array; the offline queue is bounded (QoS 0 is
 * dropped while offline, QoS 1 keeps the newest OUTBOX_MAX); reconnect waits for the network link; a subscription
 * the native side could not send (-1: outbox full) or the broker refused (onError `subscribe-refused`) is retried
 * with backoff until it is sent, for as long as the topic is wanted. Errors arrive as codes (MqttError).
 */
import type { MqttError, MqttMessageInfo } from '../../bindings/native.js';
import { Backoff, type BackoffPolicy } from '../lib/backoff.ts';
import { Emitter } from '../lib/emitter.ts';

export interface ClientOptions {
  clientId: string;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
  keepalive?: number;
  clean?: boolean;
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
  maxMessageBytes?: number;
  backoff?: BackoffPolicy;
}

export interface PublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
}

type ClientEvents = {
  connect: (info: { sessionPresent: boolean }) => void;
  message: (topic: string, payload: Uint8Array, packet: MqttMessageInfo) => void;
  close: (reason: string) => void;
  reconnect: () => void;
  error: (err: MqttError) => void;
};

const OUTBOX_MAX = 16;

export class MqttClient extends Emitter<ClientEvents> {
  connected = false;
  /** Connections made, and connections lost, since boot. */
  connects = 0;
  disconnects = 0;
  private handle = 0;
  private linkUp = true;
  private ended = false;
  private readonly subs: { [topic: string]: 0 | 1 } = {};
  private outbox: Array<[string, string | Uint8Array, PublishOptions]> = [];
  private readonly backoff: Backoff;
  /** Topics whose subscription must be sent again (refused, or the outbox was full). */
  private resub: { [topic: string]: true } = {};
  private readonly resubBackoff: Backoff;
  /** Subscriptions refused by the broker, or not sent, since boot. */
  subscribeRetries = 0;

  constructor(
    readonly url: string,
    private readonly options: ClientOptions,
  ) {
    super();
    this.backoff = new Backoff(
      options.backoff ?? { minMs: 500, maxMs: 30000 },
      (ms, cb) => native.timerStart(ms, false, cb),
      (id) => native.timerStop(id),
    );
    this.resubBackoff = new Backoff({ minMs: 1000, maxMs: 60000 }, (ms, cb) => native.timerStart(ms, false, cb), (id) => native.timerStop(id));
  }

  /** Starts the first attempt (when the link is up). */
  start(): this {
    if (this.linkUp) this.attempt();
    return this;
  }

  /** The network link (Wi-Fi) went up or down: reconnect at once when it is back, and not before. */
  setLinkUp(up: boolean): void {
    this.linkUp = up;
    if (!up) {
      this.backoff.cancel();
      return;
    }
    if (!this.connected && !this.ended) {
      this.backoff.reset();
      this.attempt();
    }
  }

  subscribe(topic: string | string[], opts: { qos?: 0 | 1 } = {}): this {
    for (const t of typeof topic === 'string' ? [topic] : topic) {
      this.subs[t] = opts.qos ?? 0;
      if (this.connected) this.sendSubscribe(t);
    }
    return this;
  }

  unsubscribe(topic: string): this {
    delete this.subs[topic];
    delete this.resub[topic];
    if (this.connected) native.mqttUnsubscribe(this.handle, topic);
    return this;
  }

  /** Returns false when the message was dropped (offline QoS 0, or native outbox full). */
  publish(topic: string, payload: string | Uint8Array, opts: PublishOptions = {}): boolean {
    const qos = opts.qos ?? 0;
    if (!this.connected) {
      if (qos === 0) return false;
      if (this.outbox.length >= OUTBOX_MAX) this.outbox.shift();
      this.outbox.push([topic, payload, opts]);
      return true;
    }
    return native.mqttPublish(this.handle, topic, toWire(payload), qos, opts.retain ?? false) >= 0;
  }

  end(): void {
    this.ended = true;
    this.backoff.cancel();
    this.resubBackoff.cancel();
    if (this.handle) native.mqttEnd(this.handle);
    this.handle = 0;
    this.connected = false;
  }

  private attempt(): void {
    if (this.ended) return;
    if (this.handle) {
      this.emit('reconnect');
      native.mqttReconnect(this.handle);
      return;
    }
    const o = this.options;
    this.handle = native.mqttConnect(
      {
        url: this.url,
        clientId: o.clientId,
        username: o.username || undefined,
        password: o.password || undefined,
        caPem: o.ca || undefined,
        certPem: o.cert || undefined,
        keyPem: o.key || undefined,
        keepaliveSec: o.keepalive,
        cleanSession: o.clean ?? false,
        will: o.will,
        maxMessageBytes: o.maxMessageBytes,
      },
      {
        onConnect: (sessionPresent) => this.onConnect(sessionPresent),
        onMessage: (topic, payload, info) => this.emit('message', topic, new Uint8Array(payload), info),
        onClose: (reason) => this.onClose(reason),
        onError: (e) => this.onError(e),
      },
    );
  }

  private onConnect(sessionPresent: boolean): void {
    this.connected = true;
    this.connects++;
    this.backoff.reset();
    // Resubscribe always: cheap, and right even when the broker lost the session.
    this.resub = {};
    this.resubBackoff.reset();
    for (const t in this.subs) this.sendSubscribe(t);
    const queued = this.outbox;
    this.outbox = [];
    for (const [topic, payload, opts] of queued) this.publish(topic, payload, opts);
    this.emit('connect', { sessionPresent });
  }

  /** Sends one subscription; when it cannot leave now, it is retried with backoff. */
  private sendSubscribe(topic: string): void {
    if (native.mqttSubscribe(this.handle, topic, this.subs[topic]!) < 0) this.retrySubscribe(topic);
  }

  private retrySubscribe(topic: string): void {
    if (this.subs[topic] === undefined) return; // no longer wanted
    this.subscribeRetries++;
    this.resub[topic] = true;
    if (this.resubBackoff.pending) return;
    this.resubBackoff.schedule(() => {
      if (!this.connected) return; // onConnect subscribes everything anyway
      const topics = Object.keys(this.resub);
      this.resub = {};
      for (const t of topics) if (this.subs[t] !== undefined) this.sendSubscribe(t);
    });
  }

  private onError(e: MqttError): void {
    if (e.code === 'subscribe-refused' && e.topic !== undefined) this.retrySubscribe(e.topic);
    this.emit('error', e);
  }

  private onClose(reason: string): void {
    if (this.connected) this.disconnects++;
    this.connected = false;
    this.emit('close', reason);
    if (!this.ended && this.linkUp) this.backoff.schedule(() => this.attempt());
  }
}

function toWire(payload: string | Uint8Array): string | ArrayBuffer {
  if (typeof payload === 'string') return payload;
  if (payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength) return payload.buffer as ArrayBuffer;
  return payload.slice().buffer as ArrayBuffer;
}
