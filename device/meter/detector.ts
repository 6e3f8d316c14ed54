/**
 * The on-device anomaly detector (I/O half): meter telemetry in over MQTT, the model from its flash slot, events
 * on <prefix>/<id>/anomaly, bad telemetry counted on <prefix>/<id>/error, the alarm LED. The pure parts are
 * reading.ts (payload), assembler.ts (samples), features.ts (features), model.ts (binding and scoring).
 * docs/anomaly.md is the user-facing description. Per reading: no allocation (typed arrays made at start).
 */
import { RateLimit } from '../lib/rate-limit.ts';
import { meterTopic, topicOf, SUFFIX } from '../topics.ts';
import { parseReading, R_OK, type ParsedReading } from './reading.ts';
import { SampleAssembler, A_COMPLETE, A_DUPLICATE, A_OUT_OF_ORDER, A_PENDING } from './assembler.ts';
import { MeterFeatures, METER_FEATURES } from './features.ts';
import { QUANTITIES, type RegisterMap } from './registers.ts';
import { anomalyScore, loadModelFromSlot, scoreFeatures, type MeterModel } from './model.ts';
import { AlarmLed, ALARM_ANOMALY, ALARM_OFF, ALARM_STALE } from './alarm.ts';

/** What the detector needs from the app (App has all of it). */
export interface DetectorHost {
  mqtt: {
    on(event: 'message', cb: (topic: string, payload: Uint8Array) => void): unknown;
    on(event: 'connect', cb: () => void): unknown;
    subscribe(topic: string | string[], opts: { qos?: 0 | 1 }): unknown;
    publish(topic: string, payload: string, opts?: { qos?: 0 | 1; retain?: boolean }): unknown;
  };
  reportError(error: string, detail?: { [k: string]: unknown }): void;
}

export interface DetectorConfig {
  prefix: string;
  deviceId: string;
  meters: string[];
  map: RegisterMap;
  alarmPin: number;
  scoreMs: number;
  staleMs: number;
  floodPerSec: number;
  /** Slot of the installed model ('' = none). */
  modelSlot: string;
  /** The meters' nominal voltage (V) and mains frequency (Hz): settings meterNominalV, meterMainsHz. */
  nominalV: number;
  mainsHz: number;
}

/** Error reasons, in the order of Meter.errors. */
export const TELEMETRY_ERRORS = ['malformed', 'noRegister', 'badValue', 'badTs', 'unknownRegister', 'outOfRange', 'outOfOrder', 'flood', 'outsideModel'];
// parseReading R_1..4 -> 0..3; assembler A_4..6 (unknown register, out of range, out of order) -> 4..6.
const E_OUT_OF_ORDER = 6;
const E_FLOOD = 7;
// A complete sample the model was not trained for (frequency more than 10 % off meterMainsHz): not scored.
const E_OUTSIDE_MODEL = 8;
const OUTSIDE_FREQ_PCT = 10;
const ERROR_REPORT_MS = 5000;

const S_UNKNOWN = 0;
const S_NORMAL = 1;
const S_ANOMALY = 2;
const S_STALE = 3;

interface Meter {
  id: string;
  topic: string;
  asm: SampleAssembler;
  feat: MeterFeatures;
  flood: RateLimit;
  state: number;
  cls: number;
  startTs: number;
  lastScoreTs: number;
  lastArrival: Float64Array;
  errors: Int32Array;
  totals: Int32Array;
  duplicates: number;
  lastError: number;
  lastRegister: number;
  reportedAt: number;
  reportTimer: number;
}

export class MeterDetector {
  readonly meters: Meter[] = [];
  model: MeterModel | null = null;
  /** Slot whose model is in use (or was, if it failed to load): where a refused model sends us back. */
  slot: string;
  readonly alarm: AlarmLed;
  samples = 0;
  scored = 0;
  private readonly r: ParsedReading = { register: 0, raw: 0, ts: 0 };
  readonly anomalyTopic: string;

  constructor(
    private readonly host: DetectorHost,
    readonly cfg: DetectorConfig,
  ) {
    this.anomalyTopic = topicOf(cfg.prefix, cfg.deviceId, SUFFIX.anomaly);
    // A device that watches no meter leaves the alarm pin alone.
    this.alarm = new AlarmLed(cfg.meters.length ? cfg.alarmPin : -1);
    this.slot = cfg.modelSlot;
    const now = native.millis();
    for (const id of cfg.meters) {
      const n = cfg.map.registers.length;
      this.meters.push({
        id,
        topic: meterTopic(cfg.prefix, id),
        asm: new SampleAssembler(cfg.map),
        feat: new MeterFeatures(cfg.nominalV, cfg.mainsHz),
        flood: new RateLimit(cfg.floodPerSec, cfg.floodPerSec * 2, () => native.millis()),
        state: S_UNKNOWN,
        cls: 0,
        startTs: 0,
        lastScoreTs: -1e18,
        lastArrival: new Float64Array(n).fill(now),
        errors: new Int32Array(TELEMETRY_ERRORS.length),
        totals: new Int32Array(TELEMETRY_ERRORS.length),
        duplicates: 0,
        lastError: -1,
        lastRegister: -1,
        reportedAt: -1e18,
        reportTimer: 0,
      });
    }
  }

  start(): void {
    if (!this.meters.length) return;
    if (this.slot) {
      const m = loadModelFromSlot(this.slot, this.cfg.map.mask, this.cfg.mainsHz);
      if (typeof m === 'string') {
        // At boot the broker is not there yet: say it on every connection while no model runs.
        const slot = this.slot;
        this.host.reportError('model not loaded: ' + m, { slot });
        this.host.mqtt.on('connect', () => {
          if (!this.model) this.host.reportError('model not loaded: ' + m, { slot });
        });
      } else this.model = m;
    }
    this.host.mqtt.subscribe(
      this.meters.map((m) => m.topic),
      { qos: 0 },
    );
    this.host.mqtt.on('message', (topic, payload) => this.onMessage(topic, payload));
    const every = Math.max(100, Math.min(1000, this.cfg.staleMs >> 2));
    native.timerStart(every, true, () => this.checkStale());
  }

  /** A model landed by OTA in `slot`: take it over now, or refuse it and keep the old one (string: why). */
  takeModel(slot: string, version: number): string | null {
    const m = loadModelFromSlot(slot, this.cfg.map.mask, this.cfg.mainsHz);
    if (typeof m === 'string') return m;
    // Class indices belong to a model: close what the old one opened, and let the new one score afresh.
    for (const mt of this.meters) {
      if (mt.state === S_ANOMALY) this.event(mt, 'end', mt.cls, null);
      if (mt.state !== S_STALE) mt.state = S_UNKNOWN;
      mt.cls = m.normal;
      mt.lastScoreTs = -1e18;
    }
    this.model = m;
    this.slot = slot;
    this.updateAlarm();
    native.log('info', 'meter model ' + version + ' from ' + slot + ' took over (' + m.model.nTrees + ' trees, ' + m.model.nFeatures + ' features)');
    this.host.mqtt.publish(this.anomalyTopic, JSON.stringify({ event: 'model', model: m.version, slot, features: m.model.featureNames, classes: m.model.classes }), { qos: 1 });
    return null;
  }

  // --- per reading ----------------------------------------------------------------------------------

  private onMessage(topic: string, payload: Uint8Array): void {
    const ms = this.meters;
    for (let i = 0; i < ms.length; i++) if (ms[i]!.topic === topic) return this.onReading(ms[i]!, payload);
  }

  private onReading(m: Meter, payload: Uint8Array): void {
    if (!m.flood.take()) return this.bad(m, E_FLOOD, -1);
    const r = this.r;
    const p = parseReading(payload, r);
    if (p !== R_OK) return this.bad(m, p - 1, r.register === r.register ? r.register : -1);
    const a = m.asm.add(r.register, r.raw, r.ts);
    if (a === A_DUPLICATE) {
      m.duplicates++;
      return;
    }
    if (a !== A_PENDING && a !== A_COMPLETE) return this.bad(m, a === A_OUT_OF_ORDER ? E_OUT_OF_ORDER : a, r.register);
    const now = native.millis();
    // Mark the register as fresh (a scan of a few slots; the assembler already found it once).
    const regs = this.cfg.map.registers;
    for (let s = 0; s < regs.length; s++) if (regs[s] === r.register) m.lastArrival[s] = now;
    if (a === A_COMPLETE) this.onSample(m);
  }

  private onSample(m: Meter): void {
    this.samples++;
    if (m.state === S_STALE) m.feat.reset(); // deltas and rolling statistics do not span a gap
    const f = m.feat.update(m.asm.values);
    const mm = this.model;
    if (!mm) {
      // No model to score with: the data is back, but it is not called normal either.
      if (m.state === S_STALE) {
        m.state = S_UNKNOWN;
        this.host.mqtt.publish(this.anomalyTopic, JSON.stringify({ meter: m.id, event: 'fresh', model: 0, ts: m.asm.ts }), { qos: 1 });
        this.updateAlarm();
      }
      return;
    }
    const ts = m.asm.ts;
    // Outside what the model knows (a 60 Hz meter set up as 50 Hz, a broken frequency register): report it on
    // the error topic and do not score it, rather than raise an alarm the model cannot mean.
    const dev = f[3]!;
    if (dev > OUTSIDE_FREQ_PCT || dev < -OUTSIDE_FREQ_PCT) return this.bad(m, E_OUTSIDE_MODEL, -1);
    if (this.cfg.scoreMs > 0 && ts - m.lastScoreTs < this.cfg.scoreMs) return;
    m.lastScoreTs = ts;
    this.scored++;
    const cls = scoreFeatures(mm, f);
    const next = cls === mm.normal ? S_NORMAL : S_ANOMALY;
    if (next === m.state && cls === m.cls) return;
    const prev = m.state;
    const prevCls = m.cls;
    m.state = next;
    m.cls = cls;
    if (prev === S_ANOMALY) this.event(m, 'end', prevCls, f);
    if (next === S_ANOMALY) {
      m.startTs = ts;
      this.event(m, 'start', cls, f);
    } else if (prev === S_STALE) this.event(m, 'fresh', cls, f);
    this.updateAlarm();
  }

  // --- stale data ------------------------------------------------------------------------------------

  private checkStale(): void {
    const now = native.millis();
    for (const m of this.meters) {
      if (m.state === S_STALE) continue;
      let oldest = now;
      for (let s = 0; s < m.lastArrival.length; s++) if (m.lastArrival[s]! < oldest) oldest = m.lastArrival[s]!;
      if (now - oldest <= this.cfg.staleMs) continue;
      const missing: string[] = [];
      for (let s = 0; s < m.lastArrival.length; s++) if (now - m.lastArrival[s]! > this.cfg.staleMs) missing.push(QUANTITIES[this.cfg.map.quantity[s]!]!);
      if (m.state === S_ANOMALY) this.event(m, 'end', m.cls, null);
      m.state = S_STALE;
      this.host.mqtt.publish(this.anomalyTopic, JSON.stringify({ meter: m.id, event: 'stale', missing, ageMs: now - oldest, staleMs: this.cfg.staleMs, model: this.model ? this.model.version : 0 }), { qos: 1 });
      this.updateAlarm();
    }
  }

  private updateAlarm(): void {
    let mode = ALARM_OFF;
    for (const m of this.meters) {
      if (m.state === S_ANOMALY) mode = ALARM_ANOMALY;
      else if (m.state === S_STALE && mode === ALARM_OFF) mode = ALARM_STALE;
    }
    this.alarm.set(mode);
  }

  /** Start/end/fresh of an anomaly: meter, class, score, model version and the features the model used. */
  private event(m: Meter, event: string, cls: number, f: Float64Array | null): void {
    const mm = this.model!;
    const features: { [k: string]: number } = {};
    if (f) for (let i = 0; i < mm.cols.length; i++) features[METER_FEATURES[mm.cols[i]!]!] = f[mm.cols[i]!]!;
    const body: { [k: string]: unknown } = {
      meter: m.id,
      event,
      class: mm.model.classes[cls],
      score: Math.round(anomalyScore(mm) * 10000) / 10000,
      model: mm.version,
      ts: m.asm.ts,
      features,
    };
    if (event === 'end') body.startTs = m.startTs;
    this.host.mqtt.publish(this.anomalyTopic, JSON.stringify(body), { qos: 1 });
  }

  // --- bad telemetry: counted, reported at most every ERROR_REPORT_MS per meter ------------------------

  private bad(m: Meter, reason: number, register: number): void {
    m.errors[reason]++;
    m.totals[reason]++;
    m.lastError = reason;
    m.lastRegister = register;
    const wait = m.reportedAt + ERROR_REPORT_MS - native.millis();
    if (wait <= 0) this.reportErrors(m);
    else if (!m.reportTimer) m.reportTimer = native.timerStart(wait, false, () => this.reportErrors(m));
  }

  private reportErrors(m: Meter): void {
    if (m.reportTimer) native.timerStop(m.reportTimer);
    m.reportTimer = 0;
    m.reportedAt = native.millis();
    const counts: { [k: string]: number } = {};
    const totals: { [k: string]: number } = {};
    for (let i = 0; i < TELEMETRY_ERRORS.length; i++) {
      if (m.errors[i]) counts[TELEMETRY_ERRORS[i]!] = m.errors[i]!;
      if (m.totals[i]) totals[TELEMETRY_ERRORS[i]!] = m.totals[i]!;
    }
    m.errors.fill(0);
    const last = TELEMETRY_ERRORS[m.lastError]!;
    this.host.reportError('bad telemetry from meter ' + m.id + ': ' + last + (m.lastRegister >= 0 ? ' (register ' + m.lastRegister + ')' : ''), { topic: m.topic, meter: m.id, counts, totals, everyMs: ERROR_REPORT_MS });
  }
}
