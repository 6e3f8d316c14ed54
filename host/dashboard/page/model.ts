/**
 * What the dashboard knows, built only from MQTT messages: pure (no DOM, no I/O), so tests feed it topics and
 * payloads directly and the page renders whatever it holds. Every list and series is bounded: nothing a peer
 * sends makes the page grow without limit, and a payload that does not parse is counted and listed, never thrown.
 */
import { parseReading, R_OK, type ParsedReading } from '../../../device/meter/reading.ts';
import { SampleAssembler, A_COMPLETE } from '../../../device/meter/assembler.ts';
import { DEFAULT_REGISTER_MAP, parseRegisterMap, Q_CURRENT, Q_FREQUENCY, Q_POWER, Q_THD, Q_VOLTAGE, type RegisterMap } from '../../../device/meter/registers.ts';
import { MeterSeries, SERIES_FIELDS } from './series.ts';
import { classifyTopic } from './topics.ts';
import { printable } from './text.ts';
import type { StatusView } from '../../../device/ota/status.ts';

export type Connection = 'connecting' | 'online' | 'reconnecting' | 'offline' | 'login';

/** The OTA status fields the page shows (device/ota/status.ts). */
export type OtaView = StatusView;

export interface DeviceView {
  id: string;
  online: boolean | null;
  firmware: string;
  app: string;
  engine: string;
  resetReason: string;
  bootCount: number | null;
  model: number | null;
  uptimeMs: number | null;
  jsUsed: number | null;
  jsSize: number | null;
  reconnects: number | null;
  wifiDrops: number | null;
  led: { pin: number; state: string; blinking: boolean } | null;
  ota: OtaView | null;
  /** The OTA states this page saw, oldest first (the last 8 changes). */
  otaTrail: string[];
  errors: number;
  /** Wall-clock ms of the last message from the device. */
  lastSeen: number;
}

export interface AnomalySpan {
  device: string;
  meter: string;
  cls: string;
  /** Meter time (the readings' ts), ms. */
  start: number;
  /** null while open. */
  end: number | null;
  score: number;
  model: number;
}

export interface EventEntry {
  at: number;
  device: string;
  meter: string;
  event: string;
  cls: string;
  score: number | null;
  model: number | null;
}

export interface ErrorEntry {
  at: number;
  /** Device id, or '' for a message the page could not read. */
  device: string;
  topic: string;
  text: string;
}

export interface MeterView {
  id: string;
  series: MeterSeries;
  spans: AnomalySpan[];
  samples: number;
}

export interface ModelLimits {
  /** Chart history, ms of meter time. */
  historyMs: number;
  /** Points per meter at most, whatever the rate. */
  maxPoints: number;
  maxEvents: number;
  maxErrors: number;
  maxDevices: number;
  maxMeters: number;
  maxSpansPerMeter: number;
}

export const DEFAULT_LIMITS: ModelLimits = {
  historyMs: 10 * 60_000,
  maxPoints: 3600,
  maxEvents: 200,
  maxErrors: 100,
  maxDevices: 500,
  maxMeters: 200,
  maxSpansPerMeter: 100,
};

/** What changed, so the page redraws only that. */
export interface Change {
  devices?: boolean;
  /** The device whose row changed (with devices). */
  device?: string;
  meter?: string;
  events?: boolean;
  errors?: boolean;
}

interface MeterState extends MeterView {
  asm: SampleAssembler;
}

export class DashboardModel {
  readonly devices = new Map<string, DeviceView>();
  readonly meters = new Map<string, MeterState>();
  readonly events: EventEntry[] = [];
  readonly errors: ErrorEntry[] = [];
  /** Events and errors ever added (the lists keep the newest): a renderer adds only what is new. */
  eventCount = 0;
  errorCount = 0;
  /** Messages the page could not read (bad JSON, wrong shape, unknown topic under the prefix). */
  garbage = 0;
  messages = 0;
  connection: Connection = 'connecting';
  private readonly map: RegisterMap;
  private readonly reading: ParsedReading = { register: 0, raw: 0, ts: 0 };

  constructor(
    readonly prefix: string,
    readonly limits: ModelLimits = DEFAULT_LIMITS,
    registerMap = DEFAULT_REGISTER_MAP,
  ) {
    const m = parseRegisterMap(registerMap);
    if (typeof m === 'string') throw new Error(m);
    this.map = m;
  }

  /** One message; `now` is the page's wall clock (ms). Never throws. */
  ingest(topic: string, payload: Uint8Array, now: number): Change {
    this.messages++;
    const t = classifyTopic(this.prefix, topic);
    if (!t) return this.bad(topic, 'unknown topic', now);
    if (t.kind === 'modbus') return this.reading_(t.id, topic, payload, now);
    if (t.kind === 'ignored') return {};
    if (payload.length === 0) {
      // A cleared retained message: the device's record of that kind is gone.
      if (t.kind === 'ota/status') {
        const d = this.devices.get(t.id);
        if (!d) return {};
        d.ota = null;
        return { devices: true, device: d.id };
      }
      return {};
    }
    let j: unknown;
    try {
      j = JSON.parse(decode(payload));
    } catch {
      return this.bad(topic, 'not JSON', now);
    }
    if (!isObject(j)) return this.bad(topic, 'not a JSON object', now);
    const d = this.device(t.id, now);
    if (!d) return this.bad(topic, 'too many devices', now);
    const ch = this.deviceMessage(d, t.kind, j, topic, now);
    if (ch.devices) ch.device = d.id;
    return ch;
  }

  private deviceMessage(d: DeviceView, kind: string, j: Record<string, unknown>, topic: string, now: number): Change {
    switch (kind) {
      case 'status':
        return this.status(d, j);
      case 'health':
        return this.health(d, j);
      case 'led/state':
        return this.led(d, j, topic, now);
      case 'error':
        return this.deviceError(d, j, topic, now);
      case 'anomaly':
        return this.anomaly(d, j, topic, now);
      default:
        return this.ota(d, j, topic, now);
    }
  }

  /** Meter views, by id. */
  meterList(): MeterView[] {
    return [...this.meters.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  deviceList(): DeviceView[] {
    return [...this.devices.values()].sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
  }

  private device(id: string, now: number): DeviceView | null {
    let d = this.devices.get(id);
    if (!d) {
      if (this.devices.size >= this.limits.maxDevices) return null;
      d = {
        id,
        online: null,
        firmware: '',
        app: '',
        engine: '',
        resetReason: '',
        bootCount: null,
        model: null,
        uptimeMs: null,
        jsUsed: null,
        jsSize: null,
        reconnects: null,
        wifiDrops: null,
        led: null,
        ota: null,
        otaTrail: [],
        errors: 0,
        lastSeen: now,
      };
      this.devices.set(id, d);
    }
    d.lastSeen = now;
    return d;
  }

  private status(d: DeviceView, j: Record<string, unknown>): Change {
    if (typeof j.online !== 'boolean') return {};
    d.online = j.online;
    if (j.online) {
      d.firmware = str(j.firmware, d.firmware);
      d.app = j.app === undefined ? d.app : printable(String(j.app), 32);
      d.engine = str(j.engine, d.engine);
      d.resetReason = str(j.resetReason, d.resetReason);
      d.bootCount = num(j.bootCount, d.bootCount);
    }
    return { devices: true };
  }

  private health(d: DeviceView, j: Record<string, unknown>): Change {
    d.uptimeMs = num(j.uptimeMs, d.uptimeMs);
    const heap = isObject(j.heap) ? j.heap : {};
    d.jsUsed = num(heap.jsUsed, d.jsUsed);
    d.jsSize = num(heap.jsSize, d.jsSize);
    const connects = num(j.mqttConnects, null);
    d.reconnects = connects === null ? d.reconnects : Math.max(0, connects - 1);
    d.wifiDrops = num(j.wifiDrops, d.wifiDrops);
    return { devices: true };
  }

  private led(d: DeviceView, j: Record<string, unknown>, topic: string, now: number): Change {
    if (typeof j.pin !== 'number' || (j.state !== 'on' && j.state !== 'off')) return this.bad(topic, 'LED state without pin and state', now);
    d.led = { pin: j.pin, state: j.state, blinking: j.blinking === true };
    return { devices: true };
  }

  private deviceError(d: DeviceView, j: Record<string, unknown>, topic: string, now: number): Change {
    d.errors++;
    const about = typeof j.topic === 'string' ? ` (${printable(j.topic, 120)})` : '';
    this.pushError({ at: now, device: d.id, topic, text: printable(String(j.error ?? JSON.stringify(j)), 300) + about });
    return { devices: true, errors: true };
  }

  private anomaly(d: DeviceView, j: Record<string, unknown>, topic: string, now: number): Change {
    const event = str(j.event, '');
    if (event === 'model') {
      d.model = num(j.model, d.model);
      return { devices: true };
    }
    if (typeof j.meter !== 'string') return event ? {} : this.bad(topic, 'anomaly event without meter', now);
    const meterId = printable(j.meter, 64);
    const cls = str(j.class, '');
    const score = num(j.score, null);
    const model = num(j.model, null);
    if (model) d.model = model;
    this.events.unshift({ at: now, device: d.id, meter: meterId, event: printable(event, 16), cls, score, model });
    this.eventCount++;
    if (this.events.length > this.limits.maxEvents) this.events.length = this.limits.maxEvents;
    const m = this.meter(meterId);
    if (!m) return { events: true };
    const ts = num(j.ts, null) ?? m.series.lastTs();
    if (event === 'start') {
      m.spans.push({ device: d.id, meter: meterId, cls, start: ts, end: null, score: score ?? 0, model: model ?? 0 });
      if (m.spans.length > this.limits.maxSpansPerMeter) m.spans.shift();
    } else if (event === 'end' || event === 'stale') {
      for (let i = m.spans.length - 1; i >= 0; i--) {
        const s = m.spans[i]!;
        if (s.device === d.id && s.end === null) {
          s.end = ts;
          break;
        }
      }
    }
    this.trimSpans(m);
    return { events: true, meter: meterId };
  }

  private ota(d: DeviceView, j: Record<string, unknown>, topic: string, now: number): Change {
    const state = str(j.state, '');
    if (!state) return this.bad(topic, 'OTA status without state', now);
    // A refusal of another offer names only that session: keep the progress of the update that runs.
    const prev = d.ota;
    d.ota = {
      state,
      kind: str(j.kind, prev && j.kind === undefined ? prev.kind : ''),
      version: num(j.version, prev && j.version === undefined ? prev.version : 0) ?? 0,
      done: num(j.done, 0) ?? 0,
      total: num(j.total, 0) ?? 0,
      reason: str(j.reason, ''),
    };
    if (d.otaTrail[d.otaTrail.length - 1] !== state) {
      d.otaTrail.push(state);
      if (d.otaTrail.length > 8) d.otaTrail.shift();
    }
    return { devices: true };
  }

  private reading_(meterId: string, topic: string, payload: Uint8Array, now: number): Change {
    const r = this.reading;
    if (parseReading(payload, r) !== R_OK) return this.bad(topic, 'not a meter reading', now);
    const m = this.meter(meterId);
    if (!m) return this.bad(topic, 'too many meters', now);
    const ts = r.ts === r.ts ? r.ts : now;
    if (m.asm.add(r.register, r.raw, ts) !== A_COMPLETE) return {};
    const v = m.asm.values;
    m.samples++;
    m.series.push(m.asm.ts, [v[Q_VOLTAGE]!, v[Q_CURRENT]!, v[Q_POWER]!, v[Q_THD]!, v[Q_FREQUENCY]!]);
    this.trimSpans(m);
    return { meter: meterId };
  }

  private meter(id: string): MeterState | null {
    let m = this.meters.get(id);
    if (!m) {
      if (this.meters.size >= this.limits.maxMeters) return null;
      m = { id, series: new MeterSeries(this.limits.maxPoints, this.limits.historyMs), spans: [], samples: 0, asm: new SampleAssembler(this.map) };
      this.meters.set(id, m);
    }
    return m;
  }

  /** Spans that ended before the oldest point on the chart are gone. */
  private trimSpans(m: MeterState): void {
    const first = m.series.firstTs();
    while (m.spans.length && m.spans[0]!.end !== null && m.spans[0]!.end! < first) m.spans.shift();
  }

  private bad(topic: string, why: string, now: number): Change {
    this.garbage++;
    this.pushError({ at: now, device: '', topic: printable(topic, 200), text: `unreadable message: ${why}` });
    return { errors: true };
  }

  private pushError(e: ErrorEntry): void {
    this.errors.unshift(e);
    this.errorCount++;
    if (this.errors.length > this.limits.maxErrors) this.errors.length = this.limits.maxErrors;
  }
}

export { SERIES_FIELDS };

function decode(b: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(b);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num<T extends number | null>(v: unknown, fallback: T): number | T {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function str(v: unknown, fallback: string): string {
  return typeof v === 'string' ? printable(v, 120) : fallback;
}
