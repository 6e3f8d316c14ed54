/**
 * One device on the real engine for tests: jw-sim (native/posix + bindings + JerryScript) with its own flash and
 * NVS directory, provisioned by writing the settings files the POSIX twin reads (native/posix/kv.c).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../../device/settings/keys.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface EngineBoardOptions {
  bin: string;
  image: string;
  settings: Record<string, string | number | Uint8Array>;
  env?: NodeJS.ProcessEnv;
  hostDir?: string;
}

export class EngineBoard {
  readonly hostDir: string;
  readonly lines: string[] = [];
  private child?: ChildProcess;
  private exited?: Promise<number | null>;

  constructor(readonly opts: EngineBoardOptions) {
    this.hostDir = opts.hostDir ?? mkdtempSync(join(tmpdir(), 'jw-engine-'));
    this.provision(opts.settings);
  }

  /** Writes settings (or state) by their names in device/settings/keys.ts, as `flash` would. */
  provision(settings: Record<string, string | number | Uint8Array>): void {
    for (const [name, value] of Object.entries(settings)) {
      const def = (SETTINGS as Record<string, { key: string; type: string; store: string }>)[name];
      if (!def) throw new Error(`unknown setting ${name}`);
      const dir = join(this.hostDir, def.store === 'settings' ? 'nvs-settings' : 'nvs-state');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${def.key}.${def.type}`), value instanceof Uint8Array ? value : String(value));
    }
  }

  /** Writes a partition file as the POSIX twin keeps it: the whole partition, erased (0xFF), then `bytes`. */
  writePartition(label: string, size: number, bytes: Uint8Array): void {
    const dir = join(this.hostDir, 'flash');
    mkdirSync(dir, { recursive: true });
    const img = Buffer.alloc(size, 0xff);
    img.set(bytes);
    writeFileSync(join(dir, `${label}.bin`), img);
  }

  /** Manual clock (env JW_CLOCK=manual): moves the runtime's time forward; due timers fire in order. */
  advance(ms: number): void {
    if (!this.running) return;
    this.advanced += Math.round(ms);
    this.child!.stdin!.write(`advance ${Math.round(ms)}\n`);
  }

  /** Milliseconds moved by advance() over the board's life (all runs). */
  advanced = 0;

  /** Starts the runtime; it restarts itself (exit code 3) like the host runner does. */
  start(extraEnv: NodeJS.ProcessEnv = {}): void {
    const run = (): Promise<number | null> => {
      const child = spawn(this.opts.bin, ['--image', this.opts.image], {
        cwd: ROOT,
        env: { ...process.env, ...this.opts.env, ...extraEnv, JW_HOST_DIR: this.hostDir, JW_PARTITIONS: join(ROOT, 'partitions.csv') },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      this.child = child;
      let buf = '';
      const onData = (d: Buffer) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          this.lines.push(line);
          if (process.env.JW_TEST_LOG) process.stderr.write(`[engine] ${line}\n`);
        }
      };
      child.stdin!.on('error', () => {}); // the runtime may exit while a test writes an advance
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
    };
    const loop = async (): Promise<number | null> => {
      for (;;) {
        const code = await run();
        if (code !== 3 || this.stopped) return code;
      }
    };
    this.stopped = false;
    this.exited = loop();
  }

  private stopped = false;

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Exit code of the last run once the runtime stopped for good (null if it was never started). */
  async stop(): Promise<number | null> {
    this.stopped = true;
    if (this.running) this.child!.kill('SIGTERM');
    return (await this.exited) ?? null;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.hostDir, { recursive: true, force: true });
  }

  log(): string {
    return this.lines.join('\n');
  }
}
