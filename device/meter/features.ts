/**
 * THE meter features, defined once: the device computes them from each complete sample, and the host's
 * training (host/pipeline/meter) imports this very module, so both sides compute identical numbers.
 * A model names the features it wants (model.bin header); the device can run it only if every name is here
 * and every quantity it needs is in the register map (see `missingFeatures`).
 *
 * Voltage is per unit of the meter's nominal voltage and frequency a deviation from its nominal mains
 * frequency in % (settings meterNominalV, meterMainsHz), so one model serves 230 V / 50 Hz and 120 V / 60 Hz
 * meters; current and power stay in A and W (they belong to the load, which has no nominal).
 *
 * Pure and allocation-free per sample: state lives in typed arrays allocated once per meter. Only IEEE-exact
 * operations (+ - * / and Math.sqrt), so JerryScript and Node agree to the bit.
 */
import { NQ, Q_CURRENT, Q_FREQUENCY, Q_POWER, Q_THD, Q_VOLTAGE, QUANTITIES } from './registers.ts';

/** Samples in the short rolling statistics (the "5" in their names). */
export const ROLL = 5;

const V = 1 << Q_VOLTAGE;
const I = 1 << Q_CURRENT;
const P = 1 << Q_POWER;
const F = 1 << Q_FREQUENCY;
const T = 1 << Q_THD;

/** Version of these definitions; a model records it ("meter-2") and the device refuses another. */
export const METER_FEATURE_SET = 'meter-2';

/** Feature names, in the order `MeterFeatures.out` holds them. ASCII, as model.bin stores names. */
export const METER_FEATURES = [
  'voltagePu',
  'current',
  'activePower',
  'freqDevPct',
  'thd',
  'apparentPower',
  'powerFactor',
  'dVoltagePu',
  'dCurrent',
  'dActivePower',
  'dFreqDevPct',
  'voltageMean5Pu',
  'voltageStd5Pu',
  'currentStd5',
  'freqDevMean5Pct',
  'freqDevStd5Pct',
];
/** Quantities (bit masks) each feature needs. */
export const FEATURE_NEEDS = [V, I, P, F, T, V | I, V | I | P, V, I, P, F, V, V, I, F, F];
export const N_FEATURES = METER_FEATURES.length;

/** Names of `wanted` this device cannot compute with the quantities in `mask`, with why; empty when all can. */
export function missingFeatures(wanted: string[], mask: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < wanted.length; i++) {
    const f = METER_FEATURES.indexOf(wanted[i]!);
    if (f < 0) out.push(wanted[i] + ' (unknown)');
    else if ((FEATURE_NEEDS[f]! & mask) !== FEATURE_NEEDS[f]) {
      const lack: string[] = [];
      for (let q = 0; q < NQ; q++) if (FEATURE_NEEDS[f]! & (1 << q) && !(mask & (1 << q))) lack.push(QUANTITIES[q]!);
      out.push(wanted[i] + ' (no ' + lack.join(', ') + ' register)');
    }
  }
  return out;
}

function meanStd(ring: Float64Array, n: number, out: Float64Array, at: number): void {
  let s = 0;
  for (let k = 0; k < n; k++) s += ring[k]!;
  const mean = s / n;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = ring[k]! - mean;
    v += d * d;
  }
  out[at] = mean;
  out[at + 1] = Math.sqrt(v / n);
}

/** Per-meter feature state. `update(q)` takes one complete sample (scaled quantities) and fills `out`. */
export class MeterFeatures {
  readonly out = new Float64Array(N_FEATURES);
  /** Nominal voltage (V) and mains frequency (Hz) of the meter: the settings meterNominalV, meterMainsHz. */
  constructor(
    readonly nominalV = 230,
    readonly mainsHz = 50,
  ) {}

  private readonly prev = new Float64Array(NQ);
  private readonly ringV = new Float64Array(ROLL);
  private readonly ringI = new Float64Array(ROLL);
  private readonly ringF = new Float64Array(ROLL);
  private count = 0;
  private pos = 0;

  reset(): void {
    this.count = 0;
    this.pos = 0;
  }

  update(q: Float64Array): Float64Array {
    const o = this.out;
    const volts = q[Q_VOLTAGE]!;
    const v = volts / this.nominalV;
    const i = q[Q_CURRENT]!;
    const p = q[Q_POWER]!;
    const f = ((q[Q_FREQUENCY]! - this.mainsHz) * 100) / this.mainsHz;
    const s = volts * i;
    o[0] = v;
    o[1] = i;
    o[2] = p;
    o[3] = f;
    o[4] = q[Q_THD]!;
    o[5] = s;
    o[6] = s > 0 ? p / s : 0;
    const first = this.count === 0;
    const pr = this.prev;
    o[7] = first ? 0 : v - pr[Q_VOLTAGE]!;
    o[8] = first ? 0 : i - pr[Q_CURRENT]!;
    o[9] = first ? 0 : p - pr[Q_POWER]!;
    o[10] = first ? 0 : f - pr[Q_FREQUENCY]!;
    // prev holds the per-unit voltage and the frequency deviation, as the deltas compare them.
    pr.set(q);
    pr[Q_VOLTAGE] = v;
    pr[Q_FREQUENCY] = f;
    this.ringV[this.pos] = v;
    this.ringI[this.pos] = i;
    this.ringF[this.pos] = f;
    this.pos = (this.pos + 1) % ROLL;
    if (this.count < ROLL) this.count++;
    const n = this.count;
    meanStd(this.ringV, n, o, 11);
    // Only the current's std is a feature: meanStd writes [mean, std] at 12, 13; slot 12 gets voltageStd5 back.
    const vStd = o[12]!;
    meanStd(this.ringI, n, o, 12);
    o[12] = vStd;
    meanStd(this.ringF, n, o, 14);
    return o;
  }
}
