/**
 * Limit flags. Defaults follow EN 50160 for low voltage: Un +-10 %, frequency +-1 % of nominal
 * (49.5-50.5 Hz), voltage THD <= 8 %. Current limits are the installation's and are options.
 */
export interface LimitOptions {
  nominalV: number;
  mainsHz: number;
  /** Allowed relative voltage deviation (0.1 = +-10 %). */
  voltageTolerance: number;
  /** Allowed frequency band in Hz. */
  frequencyBand: [number, number];
  thdMaxPct: number;
  /** Current flagged above this (A); default 100 A. */
  currentMax: number;
  /** Current flagged below this (A); default 0 (never). */
  currentMin: number;
}

export function resolveLimits(partial: Partial<LimitOptions> = {}): LimitOptions {
  const mainsHz = partial.mainsHz ?? 50;
  const lim: LimitOptions = {
    nominalV: partial.nominalV ?? (mainsHz === 60 ? 120 : 230),
    mainsHz,
    voltageTolerance: partial.voltageTolerance ?? 0.1,
    frequencyBand: partial.frequencyBand ?? [mainsHz * 0.99, mainsHz * 1.01],
    thdMaxPct: partial.thdMaxPct ?? 8,
    currentMax: partial.currentMax ?? 100,
    currentMin: partial.currentMin ?? 0,
  };
  if (!(lim.nominalV > 0)) throw new Error(`nominal voltage must be positive, not ${lim.nominalV}`);
  if (!(lim.voltageTolerance > 0 && lim.voltageTolerance < 1)) throw new Error(`voltage tolerance must be within 0..1, not ${lim.voltageTolerance}`);
  if (!(lim.frequencyBand[0] < lim.frequencyBand[1])) throw new Error(`frequency band must be low,high, not ${lim.frequencyBand.join(',')}`);
  if (!(lim.currentMin <= lim.currentMax)) throw new Error('current min must not exceed current max');
  return lim;
}

export function voltageIssue(v: number, lim: LimitOptions): 0 | 1 {
  return Math.abs(v - lim.nominalV) > lim.voltageTolerance * lim.nominalV ? 1 : 0;
}

/** For a waveform: any Urms(1/2) outside the band (the IEC 61000-4-30 dip / swell test). */
export function voltageRangeIssue(min: number, max: number, lim: LimitOptions): 0 | 1 {
  return voltageIssue(min, lim) || voltageIssue(max, lim) ? 1 : 0;
}

export function frequencyIssue(f: number, lim: LimitOptions): 0 | 1 {
  return f < lim.frequencyBand[0] || f > lim.frequencyBand[1] ? 1 : 0;
}

export function thdIssue(thdPct: number, lim: LimitOptions): 0 | 1 {
  return thdPct > lim.thdMaxPct ? 1 : 0;
}

export function currentIssue(i: number, lim: LimitOptions): 0 | 1 {
  return i > lim.currentMax || i < lim.currentMin ? 1 : 0;
}

export function describeLimits(lim: LimitOptions): string {
  return (
    `limits: voltage ${lim.nominalV} V +-${(lim.voltageTolerance * 100).toFixed(1)} %, ` +
    `frequency ${lim.frequencyBand[0]}-${lim.frequencyBand[1]} Hz, THD_F <= ${lim.thdMaxPct} %, ` +
    `current ${lim.currentMin}-${lim.currentMax} A`
  );
}
