/**
 * The native board: the device app on the real engine (JerryScript + the C bindings over the POSIX twin, jw-sim),
 * driven like the simulated board (host/sim/board.ts): provisioned settings, boot, restarts (jw-sim exits with 3
 * and is started again), power cuts, Wi-Fi drops, GPIO levels and faults. It runs on real time.
 * jw-sim speaks to it on stdout ("jw-event gpio <pin> <level>") and listens on a control pipe, its fd 3
 * (JW_CONTROL_FD; "wifi down", "wifi up"); log lines come on stderr ("<E|W|I|D> (<tag>) <message>"). stdin stays
 * free for the engine's manual clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLevel } from '../../bindings/native.js';
import type { SettingName } from '../../device/settings/keys.ts';
import { readHostSetting, writeHostPartition, writeHostSetting, type HostValue } from './provision.ts';

export interface NativeBoardOptions {
  deviceId: string;
  /** jw-sim (host/native/run.ts buildNativeSim). */
  binary: string;
  /** The app image embedded in the firmware (dist/device/app.img). */
  image: string;
  /** Settings, state and flash of this board (created if missing). */
  hostDir: string;
  partitionsCsv: string;
  /** Provisioned settings by name, written before the first boot. */
  settings?: Partial<Record<SettingName, HostValue>>;
  /** Extra environment for jw-sim. */
  env?: NodeJS.ProcessEnv;
}

type NativeBoardEvents = {
  gpio: [pin: number, level: 0 | 1];
  log: [level: LogLevel, message: string];
  boot: [info: { boot: number }];
  fault: [kind: 'exception' | 'rejection', message: string];
  /** jw-sim ended: code 3 (a restart follows), or stopped for good. */
  halt: [reason: string];
};

const LEVELS: Record<string, LogLevel> = { E: 'error', W: 'warn', I: 'info', D: 'debug' };
/** jw-sim's exit code for "restart me" (native/posix/sys.c). */
export const RESTART_EXIT_CODE = 3;

export class NativeBoard extends EventEmitter<NativeBoardEvents> {
  readonly deviceId: string;
  boots = 0;
  faults = 0;
  /** Exit code of the last run that ended for good (not a restart). */
  exitCode: number | null = null;
  private child: ChildProcess | null = null;
  private readonly levels = new Map<number, 0 | 1>();
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly options: NativeBoardOptions) {
    super();
    this.deviceId = options.deviceId;
    mkdirSync(options.hostDir, { recursive: true });
    for (const [name, value] of Object.entries(options.settings ?? {})) this.provision(name as SettingName, value as HostValue);
  }

  provision(name: SettingName, value: HostValue): void {
    writeHostSetting(this.options.hostDir, name, value);
  }

  setting(name: SettingName): string | number | Buffer | undefined {
    return readHostSetting(this.options.hostDir, name);
  }

  /** Writes a partition of a board that is not running (a model into model_a, say). */
  writePartition(label: string, bytes: Uint8Array): void {
    if (this.running) throw new Error(`${this.deviceId} is running: write its flash before boot()`);
    writeHostPartition(this.options.hostDir, this.options.partitionsCsv, label, bytes);
  }

  get running(): boolean {
    return this.child !== null;
  }

  gpioLevel(pin: number): 0 | 1 | undefined {
    return this.levels.get(pin);
  }

  boot(): void {
    if (this.child) throw new Error(`${this.deviceId} is already running`);
    this.stopping = false;
    this.boots++;
    this.levels.clear();
    const o = this.options;
    const child = spawn(o.binary, ['--image', o.image], {
      env: { ...process.env, ...o.env, JW_HOST_DIR: o.hostDir, JW_PARTITIONS: o.partitionsCsv, JW_CONTROL_FD: '3' },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdin!.on('error', () => {});
    this.control()?.on('error', () => {}); // jw-sim gone: a late command has nowhere to go
    lines(child.stdout!, (l) => this.onEvent(l));
    let last: LogLevel = 'info';
    lines(child.stderr!, (l) => {
      const m = /^([EWID]) \(([^)]*)\) (.*)$/.exec(l);
      if (!m) return this.emit('log', last, l); // continuation (a stack trace)
      last = LEVELS[m[1]!]!;
      const [, , tag, msg] = m;
      const fault = tag === 'js' ? /^uncaught (exception|rejection): (.*)$/.exec(msg!) : null;
      if (fault) {
        this.faults++;
        this.emit('fault', fault[1] as 'exception' | 'rejection', fault[2]!);
      }
      // Pin changes arrive as events (the gpio event); their log lines are debug detail.
      this.emit('log', tag === 'gpio' && last === 'info' ? 'debug' : last, tag === 'js' ? msg! : `${tag}: ${msg}`);
    });
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = null;
        const restart = code === RESTART_EXIT_CODE && !this.stopping;
        const how = restart ? 'restart' : signal ? `signal ${signal}` : `exit ${code}`;
        if (!this.stopping) this.emit('log', restart ? 'info' : 'error', `jw-sim ended: ${how}`);
        this.emit('halt', how);
        if (restart) this.boot();
        else this.exitCode = code;
        resolveExit();
      });
    });
    this.emit('boot', { boot: this.boots });
  }

  /** The Wi-Fi link drops (MQTT connections die without a DISCONNECT) or comes back. */
  dropWifi(): void {
    this.control()?.write('wifi down\n');
  }

  restoreWifi(): void {
    this.control()?.write('wifi up\n');
  }

  /** jw-sim's control pipe (its fd 3). */
  private control(): Writable | undefined {
    return this.child?.stdio[3] as Writable | undefined;
  }

  /** Power cut: the process dies now; flash and NVS files keep what was written, RTC memory (the host twin's
   * rtc/: the restart mark, the fault count) is lost, as on a chip. boot() again. */
  async powerCut(): Promise<void> {
    await this.kill('SIGKILL');
    rmSync(join(this.options.hostDir, 'rtc'), { recursive: true, force: true });
  }

  /** Stops the board for good (SIGTERM). */
  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private async kill(signal: NodeJS.Signals): Promise<void> {
    this.stopping = true;
    const c = this.child;
    if (!c) return;
    c.kill(signal);
    await this.exited;
  }

  private onEvent(line: string): void {
    const m = /^jw-event gpio (\d+) ([01])$/.exec(line);
    if (!m) return;
    const pin = Number(m[1]);
    const level = Number(m[2]) as 0 | 1;
    this.levels.set(pin, level);
    this.emit('gpio', pin, level);
  }
}

function lines(stream: NodeJS.ReadableStream, cb: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      cb(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
}
