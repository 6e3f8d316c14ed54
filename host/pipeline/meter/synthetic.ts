/**
 * Synthetic meter telemetry for training: the meter-gateway flow's own sampler (host/meters/flow.ts) with a
 * seeded random schedule of sags, swells and frequency excursions of varied depth and length on each meter,
 * labelled by the flow's ground truth.
 */
import { flowSampler, type Disturbance } from '../../meters/flow.ts';
import { parseReading, R_OK, type ParsedReading } from '../../../device/meter/reading.ts';
import { Rng } from '../../forest/rng.ts';
import { METER_CLASSES, type MeterDatasetBuilder } from './assemble.ts';

export interface SyntheticOptions {
  /** Samples per meter. */
  samples: number;
  meters: number;
  seed: number;
}

export const SYNTH_T0 = 1_767_225_600_000;

/** Random disturbances: a normal stretch of 12-40 samples, then 2-8 samples of one kind, per meter. */
export function randomSchedule(meters: string[], samples: number, seed: number): Disturbance[] {
  const rng = new Rng(seed, 0x3e7e5);
  const out: Disturbance[] = [];
  for (const meter of meters) {
    let t = 5 + Math.floor(rng.next() * 20);
    while (t < samples) {
      const r = rng.next();
      const kind = r < 1 / 3 ? 'sag' : r < 2 / 3 ? 'swell' : 'freq';
      const ticks = 2 + Math.floor(rng.next() * 7);
      const u = rng.next();
      const depth = kind === 'sag' ? 0.12 + 0.6 * u : kind === 'swell' ? 0.11 + 0.25 * u : (rng.next() < 0.5 ? -1 : 1) * (0.6 + 2 * u);
      out.push({ kind, start: t, ticks, depth: Math.round(depth * 1000) / 1000, meter });
      t += ticks + 12 + Math.floor(rng.next() * 29);
    }
  }
  return out;
}

/** Feeds `samples` ticks of every meter into the builder, through the device's payload parser. */
export function addSynthetic(b: MeterDatasetBuilder, o: SyntheticOptions, truth: Map<string, number>): void {
  const meters = Array.from({ length: o.meters }, (_, i) => `meter${i + 1}`);
  const tick = flowSampler({ meters, seed: o.seed, schedule: randomSchedule(meters, o.samples, o.seed), cycle: 0, intervalMs: 1000, t0: SYNTH_T0, truth: true });
  const r: ParsedReading = { register: 0, raw: 0, ts: 0 };
  let row = 0;
  for (let k = 0; k < o.samples; k++) {
    const msgs = tick();
    for (const m of msgs) {
      if (!m.topic.endsWith('/truth')) continue;
      const t = JSON.parse(m.payload) as { ts: number; class: string };
      truth.set(`${m.topic.split('/')[1]}|${t.ts}`, METER_CLASSES.indexOf(t.class));
    }
    for (const m of msgs) {
      if (m.topic.endsWith('/truth')) continue;
      row++;
      const p = parseReading(Buffer.from(m.payload), r);
      if (p !== R_OK) {
        b.skip(row, `payload refused (${p})`);
        continue;
      }
      b.add(m.topic.split('/')[1]!, r.register, r.raw, r.ts, row);
    }
  }
}
