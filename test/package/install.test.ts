/**
 * The package as a user gets it: `npm pack` (which builds dist/ first), the tarball installed into a temporary
 * prefix, and its `jerrywatt` run with plain Node: --help, train, and sim answering an LED command. The
 * installed tree must hold no TypeScript tooling (tsx, typescript, esbuild) and no TypeScript sources, so a
 * command that still needed them would fail here. Dependencies come from npm's cache (filled by `npm ci`), the
 * registry only for what the cache lacks.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../host/paths.ts';

const ROOT = packageRoot();
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The environment of a user's shell: no loader flags inherited from the test runner. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
  return env;
}

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: userEnv(), timeout: 120_000 });
  if (r.error) throw r.error;
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r.stdout;
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
}

describe('the npm package', function () {
  this.timeout(240_000);
  let tmp: string;
  let bin: string;
  let pkgDir: string;

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'jw-pkg-'));
    const packed = ok(run(NPM, ['pack', '--silent', '--pack-destination', tmp], ROOT), 'npm pack').trim().split('\n').pop()!;
    const tarball = join(tmp, packed);
    assert.ok(existsSync(tarball), `npm pack wrote no ${tarball}`);
    const prefix = join(tmp, 'prefix');
    const install = run(NPM, ['install', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], tmp);
    ok(install, 'npm install of the tarball');
    assert.doesNotMatch(install.stderr, /warn|error/i, `npm install printed warnings:\n${install.stderr}`);
    bin = join(prefix, 'node_modules', '.bin', 'jerrywatt');
    pkgDir = join(prefix, 'node_modules', 'jerrywatt');
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('installs without TypeScript tooling or sources, with the built app inside', () => {
    for (const dev of ['tsx', 'typescript', 'esbuild', 'ml-random-forest', 'mocha']) {
      assert.ok(!existsSync(join(pkgDir, '..', dev)), `${dev} was installed with the package`);
    }
    const ts = files(pkgDir).filter((f) => /\.[cm]?ts$/.test(f) && !f.endsWith('.d.ts'));
    assert.deepEqual(ts, [], 'the package ships TypeScript sources');
    for (const f of ['dist/device/app.js', 'dist/device/app.img', 'dist/js/host/cli/main.js', 'dist/js/host/forest/worker.js']) {
      assert.ok(existsSync(join(pkgDir, f)), `the package lacks ${f}`);
    }
  });

  it('jerrywatt --help lists the commands', () => {
    const out = ok(run(bin, ['--help'], tmp), 'jerrywatt --help');
    for (const c of ['sim', 'led', 'train', 'ota', 'collect']) assert.match(out, new RegExp(`^\\s+${c}\\b`, 'm'), `--help lacks ${c}:\n${out}`);
  });

  it('jerrywatt train trains on two worker threads and writes the model', () => {
    const out = join(tmp, 'train');
    const r = run(bin, ['train', '--windows', '300', '--trees', '4', '--workers', '2', '--out', out], tmp);
    ok(r, 'jerrywatt train');
    for (const f of ['model.json', 'model.bin', 'report.html']) assert.ok(existsSync(join(out, f)), `train wrote no ${f}`);
  });

  it('jerrywatt build and --trainer ml-random-forest say they need a checkout', () => {
    const b = run(bin, ['build'], tmp);
    assert.equal(b.status, 1);
    assert.match(b.stderr, /build needs the device sources: run it in a git checkout/);
    const m = run(bin, ['fit', '--trainer', 'ml-random-forest', '--data', join(tmp, 'train', 'processed.csv'), '--out', join(tmp, 'fit')], tmp);
    assert.equal(m.status, 1, m.stderr);
    assert.match(m.stderr, /ml-random-forest needs the development dependencies/);
  });

  it('jerrywatt sim runs the prebuilt app, which answers jerrywatt led, and serves the prebuilt dashboard', async () => {
    const app = join(pkgDir, 'dist', 'device', 'app.js');
    const appTime = statSync(app).mtimeMs;
    const sim = spawn(bin, ['sim', '--mqtt-port', '0', '--ws-port', '0', '--dashboard-port', '0', '--state-dir', join(tmp, 'sim'), '--quiet'], { cwd: tmp, env: userEnv() });
    let out = '';
    let err = '';
    sim.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      const broker = await new Promise<string>((resolve, reject) => {
        sim.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^broker\s+(mqtt:\/\/\S+)/m.exec(out);
          if (m && /^dashboard\s+http/m.test(out)) resolve(m[1]!);
        });
        sim.on('exit', (code) => reject(new Error(`sim exited ${code} before it started\n${out}\n${err}`)));
      });
      const led = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const p = spawn(bin, ['led', 'on', '--device', 'dev1', '--broker', broker, '--timeout', '20000'], { cwd: tmp, env: userEnv() });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
      assert.equal(led.code, 0, `led: ${led.stdout}${led.stderr}\nsim: ${out}${err}`);
      assert.match(led.stdout, /dev1.*\bon\b/);
      assert.equal(statSync(app).mtimeMs, appTime, 'sim rebuilt dist/device/app.js in an installed package');
      const page = await fetch(/^dashboard\s+(http\S+)/m.exec(out)![1]!);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
    } finally {
      if (sim.exitCode === null && sim.signalCode === null) {
        const exited = new Promise((resolve) => sim.once('exit', resolve));
        sim.kill('SIGINT');
        await exited;
      }
    }
  });
});
