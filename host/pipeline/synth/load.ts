/**
 * The load behind the meter: a ZIP model (constant impedance / current / power shares) with a power factor,
 * so current and active power follow the window's voltage the way a real feeder's would. Constant-power
 * loads drop to constant impedance below 0.7 pu (as drives and supplies trip or fold back), so an
 * interruption does not draw unbounded current.
 */
import type { Rng } from './rng.ts';

export interface LoadModel {
  /** Active power at nominal voltage (W). */
  p0: number;
  pf: number;
  z: number;
  i: number;
  p: number;
}

export function drawLoad(rng: Rng): LoadModel {
  const a = rng.next(), b = rng.next(), c = rng.next();
  const s = a + b + c || 1;
  return { p0: rng.uniform(300, 3000), pf: rng.uniform(0.8, 1), z: a / s, i: b / s, p: c / s };
}

/** Current (A RMS) and active power (W) at the window's RMS voltage, with 0.2 % meter noise. */
export function loadResponse(load: LoadModel, vRms: number, vNominal: number, rng: Rng): { current: number; activePower: number } {
  const u = vRms / vNominal;
  const constP = u < 0.7 ? load.p * (u / 0.7) ** 2 : load.p;
  const power = load.p0 * (load.z * u * u + load.i * u + constP);
  const current = vRms > 1e-6 ? power / (vRms * load.pf) : 0;
  return {
    current: Math.max(0, current * (1 + 0.002 * rng.gauss())),
    activePower: Math.max(0, power * (1 + 0.002 * rng.gauss())),
  };
}
