/**
 * Fleet traffic for the dashboard's bench and its relaxed test: N devices and M meters at 1 Hz, second by
 * simulated second. Meter readings come from the meter-gateway flow's own sampler (sags, swells, frequency
 * excursions); devices send births, health every 10 s, LED reports, anomaly start/end for the disturbances,
 * and OTA progress. Deterministic for a given seed.
 */
import { flowSampler } from '../../meters/flow.ts';

export interface TrafficMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

export interface TrafficOptions {
  devices: number;
  meters: number;
  t0: number;
  prefix?: string;
  seed?: number;
}

/** Messages of simulated second `s` (call with s = 0, 1, 2, ... in order). */
export type TrafficSecond = (s: number) => TrafficMessage[];

export function fleetTraffic(o: TrafficOptions): TrafficSecond {
  const p = o.prefix ?? 'esp';
  const meters = Array.from({ length: o.meters }, (_, i) => `meter${i + 1}`);
  const devices = Array.from({ length: o.devices }, (_, i) => `dev${i + 1}`);
  const sample = flowSampler({ meters, seed: o.seed ?? 1, intervalMs: 1000, t0: o.t0, prefix: p, cycle: 60 });
  const otaDevice = devices[0]!;
  return (s) => {
    const ts = o.t0 + s * 1000;
    const out: TrafficMessage[] = sample().map((m) => ({ topic: m.topic, payload: m.payload, retain: false }));
    devices.forEach((d, i) => {
      if (s === 0) {
        out.push({ topic: `${p}/${d}/status`, payload: JSON.stringify({ online: true, firmware: 'bench 1.0', app: 1, engine: 'jerryscript-3.0.0', resetReason: 'poweron', bootCount: 1 }), retain: true });
        out.push({ topic: `${p}/${d}/led/state`, payload: JSON.stringify({ pin: 2, state: 'off', blinking: false, id: null, pins: { 2: 'off' } }), retain: true });
      }
      if ((s + i) % 10 === 0)
        out.push({ topic: `${p}/${d}/health`, payload: JSON.stringify({ uptimeMs: s * 1000, heap: { jsSize: 65536, jsUsed: 20000 + ((s * 37 + i) % 4000), jsPeak: 30000 }, wifiDrops: 0, mqttConnects: 1 }), retain: false });
      if ((s + i) % 30 === 0) out.push({ topic: `${p}/${d}/led/state`, payload: JSON.stringify({ pin: 2, state: (s / 30) % 2 ? 'on' : 'off', blinking: false, id: `b${s}`, pins: {} }), retain: true });
      // The flow's default schedule disturbs every meter at ticks 10, 25 and 40 of each minute for a few ticks.
      const m = meters[i % meters.length]!;
      const tick = s % 60;
      for (const [at, cls] of [[10, 'sag'], [25, 'swell'], [40, 'frequency']] as Array<[number, string]>) {
        if (tick === at + 1) out.push({ topic: `${p}/${d}/anomaly`, payload: JSON.stringify({ meter: m, event: 'start', class: cls, score: 0.97, model: 1, ts }), retain: false });
        if (tick === at + 6) out.push({ topic: `${p}/${d}/anomaly`, payload: JSON.stringify({ meter: m, event: 'end', class: cls, score: 0.05, model: 1, ts }), retain: false });
      }
    });
    // One OTA every 5 minutes on the first device: 100 chunks over 100 s, then accepted.
    const k = s % 300;
    if (k < 100) out.push({ topic: `${p}/${otaDevice}/ota/status`, payload: JSON.stringify({ state: 'downloading', kind: 'app', version: 2 + Math.floor(s / 300), done: k, total: 100, reason: '' }), retain: true });
    if (k === 100) out.push({ topic: `${p}/${otaDevice}/ota/status`, payload: JSON.stringify({ state: 'accepted', kind: 'app', version: 2 + Math.floor(s / 300), done: 100, total: 100, reason: '' }), retain: true });
    return out;
  };
}
