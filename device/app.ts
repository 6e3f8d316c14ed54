/**
 * The device application: settings -> Wi-Fi -> MQTT -> LED commands, health, errors, OTA, anomaly detection.
 * The settings are read once, here, and each part gets what it needs; the parts are joined here too (a verified
 * model goes from the OTA receiver to the meter detector through `onModel` below, nowhere else).
 */
import type { MqttError } from '../bindings/native.js';
import { readSetting, writeState, type BootSettings } from './settings/read.ts';
import { settingDef } from './settings/keys.ts';
import { WifiLink } from './net/wifi.ts';
import { MqttClient } from './mqtt/client.ts';
import { makeTopics, type Topics } from './topics.ts';
import { parsePinList } from './led/pins.ts';
import { parseLedCommand } from './led/command.ts';
import { LedController, type LedReport } from './led/controller.ts';
import { SenderTable } from './led/senders.ts';
import { RateLimit } from './lib/rate-limit.ts';
import { startOta } from './ota/index.ts';
import { startMeterDetector } from './meter/index.ts';
import { printable } from './lib/printable.ts';
import type { MeterDetector } from './meter/detector.ts';
import type { MqttMessageInfo } from '../bindings/native.js';

export const APP_VERSION: number = __APP_VERSION__;

export class App {
  /** The settings until start() has handed each part its own; not kept after (heap, docs/engine.md). */
  private boot: BootSettings | null;
  private readonly ledPin: number;
  private readonly maxMsg: number;
  readonly topics: Topics;
  readonly wifi: WifiLink;
  readonly mqtt: MqttClient;
  readonly led: LedController;
  readonly senders: SenderTable;
  readonly allowedPins: number[];
  readonly bootCount: number;
  faults = 0;
  errors = 0;
  private readonly errorLimit = new RateLimit(5, 10, () => native.millis());
  private lastReport: LedReport | null = null;

  constructor(settings: BootSettings) {
    const s = (this.boot = settings);
    this.ledPin = s.ledPin;
    this.maxMsg = s.mqttMaxMsg;
    this.topics = makeTopics(s.topicPrefix, s.deviceId);
    this.bootCount = readSetting('bootCount') + 1;
    writeState('bootCount', this.bootCount);
    this.allowedPins = parsePinList(s.ledPins);
    if (this.allowedPins.indexOf(s.ledPin) < 0) this.allowedPins.push(s.ledPin);
    const backoff = { minMs: s.backoffMinMs, maxMs: s.backoffMaxMs };
    this.wifi = new WifiLink(s.wifiSsid, s.wifiPass, backoff);
    this.mqtt = new MqttClient(s.brokerUrl, {
      clientId: s.deviceId,
      username: s.mqttUser,
      password: s.mqttPass,
      ca: s.mqttCa,
      cert: s.mqttCert,
      key: s.mqttKey,
      keepalive: s.keepaliveSec,
      clean: false,
      will: { topic: this.topics.status, payload: '{"online":false}', qos: 1, retain: true },
      maxMessageBytes: s.mqttMaxMsg,
      backoff,
    });
    this.led = new LedController(s.ledActiveLow, (r) => this.publishLed(r));
    const seqKey = settingDef('ledSeq').key;
    this.senders = new SenderTable(
      {
        get: (slot) => {
          const v = native.kvGet('state', seqKey + slot, 'str');
          return typeof v === 'string' ? v : '';
        },
        set: (slot, v) => native.kvSet('state', seqKey + slot, v),
      },
      () => native.millis(),
    );
  }

  start(): void {
    const s = this.boot!;
    this.boot = null;
    native.log('info', `jerrywatt app ${APP_VERSION} on ${s.deviceId}, boot ${this.bootCount}, reset ${native.resetReason()}`);
    native.onFault((kind, message, stack) => {
      this.faults++;
      this.reportError(`uncaught ${kind}`, { message, stack: stack.slice(0, 512) });
    });
    this.led.init(s.ledPin);
    this.wifi.on('up', (ip) => {
      native.log('info', `wifi up ${ip}`);
      this.mqtt.setLinkUp(true);
    });
    this.wifi.on('down', (reason) => {
      native.log('warn', `wifi down (${reason})`);
      this.mqtt.setLinkUp(false);
    });
    this.mqtt.setLinkUp(false);
    this.mqtt.subscribe([this.topics.ledSet, this.topics.fleetLedSet], { qos: 1 });
    this.mqtt.on('connect', () => this.onConnect());
    this.mqtt.on('close', (reason) => native.log('warn', `mqtt closed: ${reason}`));
    this.mqtt.on('error', (err) => this.onMqttError(err));
    this.mqtt.on('message', (topic, payload, info) => {
      if (topic === this.topics.ledSet || topic === this.topics.fleetLedSet) this.onLedCommand(topic, payload, info);
    });
    let meter: MeterDetector | null = null;
    startOta(this.mqtt, {
      deviceId: s.deviceId,
      prefix: s.topicPrefix,
      group: s.group,
      maxMsg: s.mqttMaxMsg,
      ...s.ota,
      // A verified model goes to the detector, which takes it or says why not (then the update is rejected).
      onModel: (slot, version) => {
        if (!meter) return null;
        const why = meter.takeModel(slot, version);
        if (why) this.reportError('model ' + version + ' refused: ' + why, { kept: meter.slot || 'none' });
        return why;
      },
    });
    meter = startMeterDetector(this, s, s.meter);
    if (s.healthSec > 0) native.timerStart(s.healthSec * 1000, true, () => this.publishHealth());
    this.wifi.start();
  }

  /** Publishes a JSON error on <prefix>/<id>/error, rate-limited so a flood cannot flood back. */
  reportError(error: string, detail: { [k: string]: unknown } = {}): void {
    this.errors++;
    // Errors quote what peers sent; the serial log reaches an operator's terminal: no raw control characters.
    native.log('warn', printable(`${error} ${JSON.stringify(detail)}`));
    if (!this.errorLimit.take()) return;
    const suppressed = this.errorLimit.suppressed;
    this.mqtt.publish(this.topics.error, JSON.stringify({ error, ...detail, suppressed, uptimeMs: native.millis() }), { qos: 0 });
  }

  private onConnect(): void {
    const info = native.info();
    const birth = {
      online: true,
      firmware: info.firmware,
      app: APP_VERSION,
      engine: info.engine,
      contract: info.contractVersion,
      appSlot: info.appSlot,
      resetReason: native.resetReason(),
      bootCount: this.bootCount,
    };
    this.mqtt.publish(this.topics.status, JSON.stringify(birth), { qos: 1, retain: true });
    if (this.lastReport) this.publishLed(this.lastReport);
    else this.led.republish(this.ledPin);
  }

  private onLedCommand(topic: string, payload: Uint8Array, info: MqttMessageInfo | undefined): void {
    const r = parseLedCommand(payload, this.allowedPins, this.ledPin);
    if (!r.ok) {
      this.reportError(r.error, { topic });
      return;
    }
    const cmd = r.cmd;
    if (cmd.from !== null) {
      // Exactly once and in order (led/senders.ts): recorded in NVS before it is applied.
      const v = this.senders.admit(cmd.from, cmd.seq);
      if (v === 'old') {
        this.led.duplicates++;
        return;
      }
      if (v === 'budget') return this.reportError('over the flash-write budget: send it again', { topic, id: cmd.id });
    } else if (info && info.retain) {
      // A retained command without a sequence would be applied again at every boot and reconnect.
      return this.reportError('retained command without from/seq ignored', { topic });
    }
    this.led.apply(cmd);
  }

  private onMqttError(e: MqttError): void {
    // The native side drops oversize messages before allocating them and tells us here, with a code.
    if (e.code === 'oversize') return this.reportError(`payload of ${e.bytes} bytes is over the ${this.maxMsg}-byte limit`, { topic: e.topic });
    // The firmware's queue of messages waiting for JS has a byte budget: a flood is dropped, not allocated.
    if (e.code === 'queue-full') return this.reportError(`message of ${e.bytes} bytes dropped: too many messages waiting`, { topic: e.topic });
    native.log('warn', `mqtt error ${e.code}: ${printable(e.message)}`);
  }

  private publishLed(r: LedReport): void {
    this.lastReport = r;
    this.mqtt.publish(this.topics.ledState, JSON.stringify(r), { qos: 1, retain: true });
  }

  private publishHealth(): void {
    const h = native.heapStats();
    this.mqtt.publish(
      this.topics.health,
      JSON.stringify({
        uptimeMs: native.millis(),
        heap: h,
        wifiDrops: this.wifi.drops,
        mqttConnects: this.mqtt.connects,
        mqttDisconnects: this.mqtt.disconnects,
        ledCommands: this.led.applied,
        duplicates: this.led.duplicates,
        errors: this.errors,
        faults: this.faults,
      }),
      { qos: 0 },
    );
  }
}
