import assert from 'node:assert/strict';
import { flickerDepth, rmsEnvelope } from '../../host/dsp/envelope.ts';

describe('dsp: RMS envelopes', () => {
  const fs = 6400;
  const sine = (n: number, f: number, env: (t: number) => number): Float32Array =>
    Float32Array.from({ length: n }, (_, i) => env(i / fs) * Math.sin(2 * Math.PI * f * (i / fs)));

  it('gives a flat Urms(1/2) for a clean sine, also at 60 Hz (fractional half cycles)', () => {
    for (const f of [50, 60]) {
      const stats = { min: 0, max: 0, halfCycles: 0 };
      rmsEnvelope(sine(1280, f, () => 1), 1280, fs, f, new Float64Array(64), stats);
      assert.ok(Math.abs(stats.min - Math.SQRT1_2) < 2e-3 && Math.abs(stats.max - Math.SQRT1_2) < 2e-3, `${f} Hz: ${stats.min}..${stats.max}`);
    }
  });

  it('sees a 50 % sag of 3 cycles in the minimum', () => {
    const stats = { min: 0, max: 0, halfCycles: 0 };
    rmsEnvelope(sine(1280, 50, (t) => (t >= 0.06 && t < 0.12 ? 0.5 : 1)), 1280, fs, 50, new Float64Array(64), stats);
    assert.ok(Math.abs(stats.min - 0.5 * Math.SQRT1_2) < 0.01, `min ${stats.min}`);
    assert.ok(Math.abs(stats.max - Math.SQRT1_2) < 0.01);
    assert.equal(stats.halfCycles, 20);
  });

  it('measures flicker modulation depth near l', () => {
    for (const [l, ff] of [[0.05, 10], [0.1, 20]]) {
      const env = new Float64Array(64);
      const stats = { min: 0, max: 0, halfCycles: 0 };
      rmsEnvelope(sine(1280, 50, (t) => 1 + l * Math.sin(2 * Math.PI * ff * t)), 1280, fs, 50, env, stats);
      const d = flickerDepth(env, stats.halfCycles, 50);
      assert.ok(Math.abs(d - l) < 0.25 * l, `l=${l} ff=${ff}: ${d}`);
    }
  });
});
