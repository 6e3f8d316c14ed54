/**
 * Feature extraction speed: our TypeScript extractor (least-squares harmonic fit, typed arrays) against a numpy
 * implementation of the same features (rfft per window), on the same synthetic windows, in one run.
 * The anchor is `python3` with numpy; when it is not importable the bench says so and installs nothing.
 *   FEATURES_BENCH_WINDOWS=5000 (default)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeWindows } from '../host/pipeline/synth/index.ts';
import { WAVEFORM_FEATURES, waveformFeatures } from '../host/pipeline/process/index.ts';
import { machineLine } from './machine.ts';

/** The first python3 that imports numpy (Debian's is /usr/bin/python3; a pyenv shim on PATH may lack it). */
const PYTHON_BIN = ['/usr/bin/python3', 'python3'].find((py) => spawnSync(py, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0) ?? 'python3';

const WINDOWS = Number(process.env.FEATURES_BENCH_WINDOWS ?? 5000);
const FS = 6400;
const MAINS = 50;
const NOMINAL = 230;
const F = WAVEFORM_FEATURES.length;

// The same features in numpy, written the way a numpy user would: vectorised within a window, one window
// at a time (each window's DFT length follows its measured frequency, so windows cannot share one FFT).
const PYTHON = String.raw`
import sys, json, time, math
import numpy as np
path, n_win, n, fs, f0, out_path, vnom = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6], float(sys.argv[7])
data = np.fromfile(path, dtype='<f4').reshape(n_win, n)

per_cycle = fs / f0
k = 1
for kk in range(1, 7):
    if abs(kk * per_cycle - round(kk * per_cycle)) < 1e-6:
        k = kk
        break
L = int(math.floor(k * per_cycle + 0.5))
seg_kernel = np.exp(-1j * 2 * np.pi * f0 / fs * np.arange(L))
seg_s = L / fs
flick_cache = {}

def lag_phase(X, lag, nominal):
    p = np.sum(X[lag:] * np.conj(X[:-lag]))
    energy = np.sum(np.abs(X[lag:]) ** 2 + np.abs(X[:-lag]) ** 2)
    if energy == 0 or abs(p) < 1e-9 * energy:
        return None
    return float(np.angle(p * np.exp(-1j * nominal)))

def frequency(x):
    S = len(x) // L
    if S < 2:
        return f0
    X = x[:S * L].reshape(S, L) @ seg_kernel
    nominal = 2 * np.pi * f0 * seg_s
    coarse = lag_phase(X, 1, nominal)
    if coarse is None:
        return f0
    df = coarse / (2 * np.pi * seg_s)
    lag = S >> 1
    if lag > 1:
        fine = lag_phase(X, lag, nominal * lag)
        if fine is not None:
            pred = 2 * np.pi * df * seg_s * lag
            turns = math.floor((pred - fine) / (2 * np.pi) + 0.5)
            df = (fine + turns * 2 * np.pi) / (2 * np.pi * seg_s * lag)
    return f0 + df

def features(x):
    n = len(x)
    f = frequency(x)
    f = min(max(f, f0 * 0.8), f0 * 1.2)
    sq = x * x
    rms = math.sqrt(sq.mean())
    H = max(1, min(40, math.ceil(fs / 2 / f) - 1))
    t = np.arange(n)
    r = x - x.mean()
    ab = np.zeros((H, 2))
    # fundamental: exact 2x2 least squares at the measured frequency; harmonics: projections of what is left
    c = np.cos(2 * np.pi * f / fs * t); s = np.sin(2 * np.pi * f / fs * t)
    A = np.array([[c @ c, c @ s], [c @ s, s @ s]])
    ab[0] = np.linalg.solve(A, np.array([r @ c, r @ s]))
    r = r - ab[0, 0] * c - ab[0, 1] * s
    if H > 1:
        ph = 2 * np.pi * f / fs * np.outer(np.arange(2, H + 1), t)
        C, S = np.cos(ph), np.sin(ph)
        ab[1:, 0] = 2 * (C @ r) / n
        ab[1:, 1] = 2 * (S @ r) / n
        r = r - ab[1:, 0] @ C - ab[1:, 1] @ S
    hr = np.sqrt((ab ** 2).sum(axis=1) / 2)
    fund = hr[0]
    hsq = float(np.sum(hr[1:] ** 2))
    rpeak = np.abs(r).max()
    spk = np.abs(x - r).max()
    rrms = math.sqrt((r * r).mean())
    c2 = 2 * math.cos(2 * np.pi * f / fs)
    gain = math.sqrt(2 + c2 * c2)
    e = r[2:] - c2 * r[1:-1] + r[:-2]
    m = len(e)
    ae = np.abs(e)
    sigma = float(np.partition(ae, m // 2)[m // 2]) / 0.6745 / gain
    epeak = ae.max()
    rel = 100 / fund if fund > 1e-9 else 0
    # half-cycle envelope from an interpolated prefix sum of squares
    p = np.concatenate(([0.0], np.cumsum(sq)))
    half = fs / (2 * f)
    count = int(math.floor(n / half + 1e-9))
    pos = np.arange(1, count + 1) * half
    i = np.minimum(np.floor(pos).astype(np.int64), n - 1)
    S_ = np.where(pos >= n, p[n], p[i] + (pos - i) * sq[i])
    S0 = np.concatenate(([0.0], S_))
    env = np.sqrt(np.maximum(0, np.diff(S0)) / half)
    if count >= 2:
        rr = np.sqrt(np.maximum(0, S0[2:] - S0[:-2]) / (2 * half))
        umin, umax = rr.min(), rr.max()
    else:
        umin = umax = rms
    depth = 0.0
    if count >= 4 and env.mean() > 0:
        key = count
        if key not in flick_cache:
            fm = np.arange(5, 26)[:, None]
            flick_cache[key] = np.exp(-1j * 2 * np.pi * fm / (2 * f0) * np.arange(count)[None, :])
        ee = env - env.mean()
        depth = 2 * np.abs(flick_cache[key] @ ee).max() / count / env.mean()
    per = fs / f
    cn = math.sqrt(sigma * sigma / per + (0.15 * rms / (per * per)) ** 2)
    hn = sigma / math.sqrt(per / 2)
    lo, hi, spread = umin + 1.9 * cn, umax - 1.9 * cn, umax - umin
    bn2 = 2 * sigma * sigma / n
    cl = lambda v2: math.sqrt(max(0.0, v2))
    floor = 2.3 * (hn / rms) * math.sqrt(2 / count) if count > 0 and rms > 0 else 0
    ext = math.sqrt(2 * math.log(max(2, m)))
    h = lambda k: hr[k - 1] if k <= H else 0.0
    return [rms / vnom, cl(hsq - (H - 1) * bn2) * rel, spk / rms if rms > 0 else 0, 100 * (f - f0) / f0,
            min(lo, umax) / vnom, max(hi, umin) / vnom, max(0, spread - 3.8 * cn) / vnom, min(1e4, spread / cn) if cn > 0 else 0,
            cl(h(3) ** 2 - bn2) * rel, cl(h(5) ** 2 - bn2) * rel, cl(h(7) ** 2 - bn2) * rel,
            100 * cl(depth * depth - floor * floor), sigma * rel, rrms * rel,
            min(1e4, epeak / (sigma * gain * ext)) if sigma > 0 else 0, max(0, rpeak - ext * sigma) / (math.sqrt(2) * vnom)]

rows64 = data.astype(np.float64)
for x in rows64[:50]:
    features(x)  # warm-up
best = None
for rep in range(3):
    t = time.perf_counter()
    out = [features(x) for x in rows64]
    dt = time.perf_counter() - t
    best = dt if best is None else min(best, dt)
np.asarray(out, dtype=np.float64).tofile(out_path)
print(json.dumps({"seconds": best, "python": sys.version.split()[0], "numpy": np.__version__}))
`;

function main(): void {
  console.log(machineLine());
  const windows: Float32Array[] = [];
  for (const w of synthesizeWindows({ windows: WINDOWS, seed: 1, samplingRate: FS, mainsHz: MAINS })) windows.push(w.voltage);
  const n = windows[0].length;
  console.log(`data: ${WINDOWS} windows x ${n} samples (${FS} Hz, ${MAINS} Hz mains, all 10 classes, SNR 20-50 dB), ${F} features`);

  // Ours: single thread, warm-up then best of 3.
  const ours = new Float32Array(WINDOWS * F);
  for (let i = 0; i < Math.min(200, WINDOWS); i++) waveformFeatures(windows[i], FS, MAINS, NOMINAL, ours.subarray(i * F, (i + 1) * F));
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t = performance.now();
    for (let i = 0; i < WINDOWS; i++) waveformFeatures(windows[i], FS, MAINS, NOMINAL, ours.subarray(i * F, (i + 1) * F));
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  const oursRate = WINDOWS / best;
  console.log(`ours  (TypeScript, typed arrays, 1 thread): ${oursRate.toFixed(0)} windows/s`);

  const probe = spawnSync(PYTHON_BIN, ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    console.log('anchor MISSING: python3 with numpy is not importable (Debian: apt-get install python3-numpy); nothing was installed, no ratio');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'jw-bench-features-'));
  try {
    const bin = new Float32Array(WINDOWS * n);
    windows.forEach((w, i) => bin.set(w, i * n));
    writeFileSync(join(dir, 'windows.f32'), Buffer.from(bin.buffer));
    writeFileSync(join(dir, 'features.py'), PYTHON);
    const r = spawnSync(PYTHON_BIN, [join(dir, 'features.py'), join(dir, 'windows.f32'), String(WINDOWS), String(n), String(FS), String(MAINS), join(dir, 'numpy.f64'), String(NOMINAL)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) {
      console.log(`anchor FAILED: ${r.stderr.trim().split('\n').at(-1)}`);
      process.exitCode = 1;
      return;
    }
    const res = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { seconds: number; python: string; numpy: string };
    const npRate = WINDOWS / res.seconds;
    console.log(`numpy (python ${res.python}, numpy ${res.numpy}, vectorised per window): ${npRate.toFixed(0)} windows/s`);
    console.log(`ratio ours/numpy: ${(oursRate / npRate).toFixed(2)}x ${oursRate >= npRate ? '(faster)' : '(SLOWER)'}`);

    // Same features? Median and 99th-percentile relative difference per feature (float32 vs float64 output).
    const theirs = new Float64Array(readFileSync(join(dir, 'numpy.f64')).buffer.slice(0));
    const parts: string[] = [];
    let worst = 0;
    for (let j = 0; j < F; j++) {
      const d: number[] = [];
      for (let i = 0; i < WINDOWS; i++) {
        const a = ours[i * F + j], b = theirs[i * F + j];
        d.push(Math.abs(a - b) / Math.max(1e-3, Math.abs(b)));
      }
      d.sort((x, y) => x - y);
      const p99 = d[Math.floor(0.99 * (d.length - 1))];
      worst = Math.max(worst, p99);
      parts.push(`${WAVEFORM_FEATURES[j]} ${p99.toExponential(1)}`);
    }
    console.log(`agreement (99th-percentile relative difference): ${parts.join(', ')}`);
    if (worst > 1e-3) console.log('WARNING: the two implementations disagree by more than 0.1 % on some feature');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
