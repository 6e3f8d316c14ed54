/**
 * The simulated board: runs the device bundle in a JerryScript-shaped sandbox with the TypeScript `native`,
 * against a real MQTT broker. Settings, NVS state and flash persist in `stateDir` across restarts and power
 * cuts, as on the board.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HeapStats, LogLevel } from '../../bindings/native.js';
import { CONTRACT_VERSION } from '../../bindings/contract.ts';
import { engineConfigHash } from '../app-image.ts';
import { SETTINGS, type SettingName } from '../../device/settings/keys.ts';
import { loadApp } from './app-loader.ts';
import { RealClock, type Clock } from './clock.ts';
import { NorFlash, PartitionView } from './flash.ts';
import { Network } from './network.ts';
import { NvsStore } from './nvs.ts';
import { OtaData, type FirmwareSlot } from './otadata.ts';
import { checkFirmwareImage } from '../ota/firmware-image.ts';
import { DEFAULT_PARTITIONS_CSV, readPartitions, type Partition } from '../partitions.ts';
import { createSandbox } from './sandbox.ts';
import type { BoardContext } from './native/context.ts';
import { createNative } from './native/index.ts';
import { unknownHeap } from './native/system.ts';
import { distPath } from '../paths.ts';
import { trackRejections } from './rejections.ts';

/** A fault more than this long after the previous one starts the restart backoff again from its first delay. */
const FAULT_STREAK_RESET_MS = 60_000;
/** The app embedded in the firmware, as `jerrywatt build` writes it. */
const DEFAULT_BUNDLE = distPath('device', 'app.js');

export type ProvisionValue = string | number | Uint8Array;

export interface SimBoardOptions {
  deviceId: string;
  /** Where flash, NVS and otadata persist; null keeps them in memory (gone with the process). */
  stateDir: string | null;
  /** The app embedded in the firmware. Default dist/device/app.js. */
  bundlePath?: string;
  /** Provisioned settings by name (device/settings/keys.ts), written before the first boot. */
  settings?: Partial<Record<SettingName, ProvisionValue>>;
  clock?: Clock;
  partitionsCsv?: string;
  heap?: () => HeapStats;
  /** First delay of the fault restart policy; doubles per fault up to 60 s. */
  faultRestartMs?: number;
}

export interface BootInfo {
  boot: number;
  resetReason: string;
  appSlot: string;
  appVersion: number | null;
  firmwareSlot: string;
  notes: string[];
}

type BoardEvents = {
  gpio: [pin: number, level: 0 | 1];
  log: [level: LogLevel, message: string];
  boot: [info: BootInfo];
  fault: [kind: 'exception' | 'rejection', message: string];
  halt: [reason: string];
};

export class SimBoard extends EventEmitter<BoardEvents> {
  readonly deviceId: string;
  readonly clock: Clock;
  readonly network = new Network();
  readonly flash: NorFlash;
  readonly settings: NvsStore;
  readonly state: NvsStore;
  readonly otadata: OtaData;
  readonly partitions: Map<string, Partition>;
  boots = 0;
  faults = 0;
  /** Faults in a row, for the restart backoff; cleared after a minute without one (as the firmware does). */
  private faultStreak = 0;
  private lastFaultAt = -Infinity;
  private ctx: BoardContext | null = null;
  private nextReset = 'poweron';
  private faultTimer: unknown = null;

  constructor(readonly options: SimBoardOptions) {
    super();
    this.deviceId = options.deviceId;
    this.clock = options.clock ?? new RealClock();
    const dir = options.stateDir;
    if (dir) mkdirSync(dir, { recursive: true });
    const file = (name: string) => (dir ? join(dir, name) : null);
    this.partitions = new Map(readPartitions(options.partitionsCsv ?? DEFAULT_PARTITIONS_CSV).map((p) => [p.name, p]));
    const size = (label: string) => this.partitions.get(label)?.size ?? 0x3000;
    this.flash = new NorFlash(file('flash.bin'), undefined, (m) => this.log('error', m));
    this.settings = new NvsStore(file('settings.json'), size('settings'));
    this.state = new NvsStore(file('nvs.json'), size('nvs'));
    this.otadata = new OtaData(file('otadata.json'));
    for (const [name, value] of Object.entries(options.settings ?? {})) this.provision(name as SettingName, value as ProvisionValue);
  }

  /** Writes one provisioned setting (what `jerrywatt flash` puts in the settings partition). */
  provision(name: SettingName, value: ProvisionValue): void {
    const def = SETTINGS[name];
    if (!def) throw new Error(`unknown setting ${name}`);
    const v =
      def.type === 'i32'
        ? { t: 'i32' as const, v: Number(value) }
        : def.type === 'str'
          ? { t: 'str' as const, v: String(value) }
          : { t: 'blob' as const, v: Buffer.from(value as Uint8Array).toString('base64') };
    const err = (def.store === 'settings' ? this.settings : this.state).set(def.key, v);
    if (err) throw new Error(`setting ${name}: ${err}`);
  }

  get running(): boolean {
    return this.ctx?.alive ?? false;
  }

  gpioLevel(pin: number): 0 | 1 | undefined {
    return this.ctx?.gpio.get(pin)?.level;
  }

  /** Boots: bootloader (firmware A/B), app loader (app A/B), then the app's top level. */
  boot(): BootInfo {
    if (this.running) throw new Error(`${this.deviceId} is already running`);
    this.boots++;
    const notes: string[] = [];
    const fwNote = this.otadata.boot((slot) => this.checkFirmwareSlot(slot));
    if (fwNote) notes.push(fwNote);
    const want = { contractVersion: CONTRACT_VERSION, engineConfigHash: engineConfigHash() };
    const app = loadApp(
      this.state,
      (label) => {
        const p = this.partitions.get(label);
        return p ? new PartitionView(this.flash, p).read(0, p.size) : null;
      },
      want,
      () => readFileSync(this.options.bundlePath ?? DEFAULT_BUNDLE, 'utf8'),
    );
    notes.push(...app.notes);
    const ctx: BoardContext = {
      deviceId: this.deviceId,
      clock: this.clock,
      bootAt: this.clock.now(),
      sandbox: null as never,
      flash: this.flash,
      partitions: this.partitions,
      settings: this.settings,
      state: this.state,
      network: this.network,
      otadata: this.otadata,
      gpio: new Map(),
      resetReason: this.nextReset,
      appSlot: app.slot,
      alive: true,
      log: (level, msg) => this.log(level, msg),
      invoke: (fn, ...args) => this.invoke(ctx, fn, args),
      onGpio: (pin, level) => this.emit('gpio', pin, level),
      requestRestart: (reason) => this.restartSoon(ctx, reason),
      faultHandler: null,
      disposers: [],
    };
    const heap = this.options.heap ?? unknownHeap;
    ctx.sandbox = createSandbox({ native: createNative(ctx, heap) });
    ctx.disposers.push(trackRejections(ctx.sandbox.Promise, (reason) => this.fault(ctx, 'rejection', reason)));
    this.ctx = ctx;
    const info: BootInfo = { boot: this.boots, resetReason: ctx.resetReason, appSlot: app.slot, appVersion: app.appVersion, firmwareSlot: this.otadata.running, notes };
    for (const n of notes) this.log('warn', `boot: ${n}`);
    this.emit('boot', info);
    this.invoke(ctx, () => ctx.sandbox.run(app.source, `${app.slot}/app.js`), []);
    return info;
  }

  /** The bootloader's image check. An erased ota_0 stands for the firmware the simulator was started with. */
  private checkFirmwareSlot(slot: FirmwareSlot): string | null {
    const p = this.partitions.get(slot);
    if (!p) return `no partition ${slot}`;
    const bytes = new PartitionView(this.flash, p).read(0, p.size);
    if (slot === 'ota_0' && bytes.every((b) => b === 0xff)) return null;
    return checkFirmwareImage(bytes);
  }

  /** A clean software restart (what native.restart() does). */
  async restart(reason = 'sw'): Promise<BootInfo> {
    this.shutdown(reason);
    this.nextReset = reason === 'sw' ? 'sw' : reason;
    await new Promise((r) => setImmediate(r));
    return this.boot();
  }

  /** Power cut: everything stops now; flash and NVS keep what was written. Boot again with boot(). */
  powerCut(): void {
    this.shutdown('poweroff');
    this.nextReset = 'poweron';
  }

  /** Stops the board for good (end of a test or of `jerrywatt sim`). */
  stop(): void {
    this.shutdown('stop');
    if (this.faultTimer !== null) this.clock.clearTimer(this.faultTimer);
    this.faultTimer = null;
  }

  close(): void {
    this.stop();
    this.flash.close();
  }

  private shutdown(reason: string): void {
    const ctx = this.ctx;
    if (!ctx || !ctx.alive) return;
    ctx.alive = false;
    for (const d of ctx.disposers.splice(0)) d();
    this.emit('halt', reason);
  }

  private restartSoon(ctx: BoardContext, reason: string): void {
    if (!ctx.alive) return;
    this.shutdown(reason);
    this.nextReset = reason;
    setImmediate(() => {
      if (this.ctx === ctx) this.boot();
    });
  }

  private invoke(ctx: BoardContext, fn: (...a: any[]) => unknown, args: unknown[]): void {
    if (!ctx.alive) return;
    try {
      fn(...args);
    } catch (err) {
      this.fault(ctx, 'exception', err);
    }
  }

  /** Uncaught exception or unhandled rejection: tell the app, log, restart with backoff (never a tight loop). */
  private fault(ctx: BoardContext, kind: 'exception' | 'rejection', err: unknown): void {
    if (!ctx.alive) return;
    const message = err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err) ? String((err as Error).message) : String(err);
    const stack = typeof err === 'object' && err !== null && 'stack' in err ? String((err as Error).stack) : '';
    this.faults++;
    this.log('error', `uncaught ${kind}: ${message}\n${stack}`);
    this.emit('fault', kind, message);
    const handler = ctx.faultHandler;
    if (handler) {
      ctx.faultHandler = null; // a throwing handler must not recurse
      try {
        handler(kind, message, stack);
      } catch (e) {
        this.log('error', `onFault handler threw: ${String(e)}`);
      }
      ctx.faultHandler = handler;
    }
    if (this.faultTimer !== null) return;
    const now = this.clock.now();
    this.faultStreak = now - this.lastFaultAt > FAULT_STREAK_RESET_MS ? 1 : this.faultStreak + 1;
    this.lastFaultAt = now;
    const delay = Math.min(60000, (this.options.faultRestartMs ?? 1000) * 2 ** Math.min(this.faultStreak - 1, 6));
    this.log('warn', `restarting in ${delay} ms (fault ${this.faultStreak} in a row)`);
    this.faultTimer = this.clock.setTimer(delay, () => {
      this.faultTimer = null;
      if (this.ctx === ctx && ctx.alive) this.restartSoon(ctx, 'panic');
    });
  }

  private log(level: LogLevel, message: string): void {
    this.emit('log', level, message);
  }
}
