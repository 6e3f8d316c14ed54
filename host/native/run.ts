/**
 * `jerrywatt sim --native`: builds the host engine (JerryScript from JERRYSCRIPT_PATH with build/engine-config.json)
 * and the C runtime + bindings (native/Makefile `sim`), then runs dist/device/app.img on it against a real broker.
 * Exit code 3 from jw-sim means "restart" (native.restart(), or the fault policy): the runner starts it again.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { engineHash, hostEngineCommands, hostEngineDir } from '../../build/firmware/engine.ts';

export interface NativeSimOptions {
  root: string;
  jerryscriptPath?: string;
  image?: string;
  /** Flash and NVS files of the simulated board (default dist/native/host-<deviceId>). */
  hostDir?: string;
  /** Extra environment for jw-sim (e.g. JW_CHIP_ID, JW_RESET_REASON). */
  env?: NodeJS.ProcessEnv;
  runForMs?: number;
  restarts?: number;
  onLine?: (line: string) => void;
}

export interface NativeSim {
  child: () => ChildProcess | undefined;
  /** Resolves with the last exit code once the runtime stops for good. */
  done: Promise<number>;
  stop(): void;
}

export class NativeSimError extends Error {}

function sh(cmd: string[], cwd: string): void {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new NativeSimError(`${cmd.join(' ')} failed:\n${r.stdout}${r.stderr}`);
}

export function buildNativeSim(root: string, jerryscriptPath: string): string {
  if (!existsSync(join(jerryscriptPath, 'jerry-core', 'include', 'jerryscript.h')))
    throw new NativeSimError(`JERRYSCRIPT_PATH=${jerryscriptPath} is not a JerryScript v3.0.0 checkout (docs/firmware.md)`);
  const engineOut = hostEngineDir(jerryscriptPath);
  if (!existsSync(join(engineOut, 'lib', 'libjerry-core.a'))) for (const c of hostEngineCommands(jerryscriptPath)) sh(c, root);
  const out = join(root, 'dist/native');
  sh(['make', '-C', join(root, 'native'), 'sim', `OUT=${out}`, `JERRYSCRIPT_PATH=${jerryscriptPath}`, `JERRY_OUT=${engineOut}`, `ENGINE_HASH=${engineHash()}`], root);
  return join(out, 'jw-sim');
}

export function runNativeSim(opts: NativeSimOptions): NativeSim {
  const jp = opts.jerryscriptPath ?? process.env.JERRYSCRIPT_PATH;
  if (!jp) throw new NativeSimError('sim --native needs JERRYSCRIPT_PATH (a JerryScript v3.0.0 checkout; docs/firmware.md)');
  const bin = buildNativeSim(opts.root, jp);
  const hostDir = opts.hostDir ?? join(opts.root, 'dist/native/host');
  mkdirSync(hostDir, { recursive: true });
  const image = opts.image ?? join(opts.root, 'dist/device/app.img');
  let current: ChildProcess | undefined;
  let stopped = false;
  let restarts = opts.restarts ?? 10;
  const done = new Promise<number>((resolve) => {
    const start = () => {
      const args = ['--image', image, ...(opts.runForMs ? ['--run-for', String(opts.runForMs)] : [])];
      current = spawn(bin, args, {
        cwd: opts.root,
        env: { ...process.env, ...opts.env, JW_HOST_DIR: hostDir, JW_PARTITIONS: join(opts.root, 'partitions.csv') },
        stdio: ['ignore', 'inherit', 'pipe'],
      });
      let buf = '';
      current.stderr!.on('data', (d: Buffer) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          (opts.onLine ?? ((l: string) => process.stderr.write(l + '\n')))(line);
        }
      });
      current.on('exit', (code) => {
        if (code === 3 && !stopped && restarts-- > 0) start();
        else resolve(code ?? 1);
      });
    };
    start();
  });
  return {
    child: () => current,
    done,
    stop: () => {
      stopped = true;
      current?.kill('SIGTERM');
    },
  };
}
