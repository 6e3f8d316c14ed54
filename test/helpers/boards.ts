/**
 * One test body, two boards: the simulated board (V8, the fast path, on a manual clock) always, and the native
 * board (the real JerryScript engine through the C bindings, jw-sim, on real time) when JERRYSCRIPT_PATH is set.
 * Without it the native run is skipped loudly; under CI=true its absence is a failure.
 *
 *   describeOnBoards('LED commands', (kind) => {
 *     it('...', async () => { const b = kind.make('led1', broker.url); b.boot(); ... });
 *   });
 *
 * `b.clock.advance(ms)` moves the V8 board's clock; on the native board real time runs, so it does nothing and
 * `eventually` polls while time passes. Tests that need long stretches of board time run on V8 only (say so).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../host/sim/clock.ts';
import { SimBoard, type ProvisionValue } from '../../host/sim/board.ts';
import { NativeBoard } from '../../host/native/board.ts';
import { buildNativeSim, checkJerryscriptPath } from '../../host/native/run.ts';
import { packageRoot as repoRoot } from '../../host/paths.ts';
import type { SettingName } from '../../device/settings/keys.ts';
import { ensureBundle } from '../spine/util.ts';

export type BoardName = 'v8' | 'native';
export type Settings = Partial<Record<SettingName, ProvisionValue>>;

export interface BoardUnderTest {
  readonly kind: BoardName;
  readonly deviceId: string;
  /** The board's clock: manual on V8; on native real time runs and advance() does nothing. */
  readonly clock: { advance(ms: number): void };
  readonly faults: number;
  readonly running: boolean;
  readonly boots: number;
  /** Lets `ms` of board time pass: the manual clock jumps on V8; on native, real time is waited out. */
  pass(ms: number): Promise<void>;
  boot(): void;
  gpioLevel(pin: number): 0 | 1 | undefined;
  onGpio(cb: (pin: number, level: 0 | 1) => void): void;
  onLog(cb: (level: string, message: string) => void): void;
  dropWifi(): void;
  restoreWifi(): void;
  /** Everything stops now; flash and settings keep what was written. boot() again. */
  powerCut(): Promise<void>;
  dispose(): Promise<void>;
  /** The simulated board itself (V8 only), for what only it can do. */
  readonly sim?: SimBoard;
  readonly native?: NativeBoard;
}

export interface BoardKind {
  name: BoardName;
  make(deviceId: string, brokerUrl: string, opts?: { settings?: Settings }): BoardUnderTest;
}

/** Test defaults: no periodic health, quick reconnects. */
function testSettings(deviceId: string, brokerUrl: string, extra: Settings = {}): Settings {
  return { deviceId, brokerUrl, healthSec: 0, backoffMinMs: 200, backoffMaxMs: 2000, ...extra };
}

const log = (id: string) => (l: string, m: string) => process.env.JW_TEST_LOG && process.stderr.write(`[${id} ${l}] ${m}\n`);

export const V8_BOARD: BoardKind = {
  name: 'v8',
  make(deviceId, brokerUrl, opts = {}) {
    const dir = mkdtempSync(join(tmpdir(), `jw-${deviceId}-`));
    const clock = new ManualClock();
    const board = new SimBoard({ deviceId, stateDir: dir, clock, faultRestartMs: 1000, settings: testSettings(deviceId, brokerUrl, opts.settings) });
    board.on('log', log(deviceId));
    return {
      kind: 'v8',
      deviceId,
      clock,
      sim: board,
      get faults() {
        return board.faults;
      },
      get running() {
        return board.running;
      },
      get boots() {
        return board.boots;
      },
      pass: async (ms) => clock.advance(ms),
      boot: () => void board.boot(),
      gpioLevel: (pin) => board.gpioLevel(pin),
      onGpio: (cb) => board.on('gpio', cb),
      onLog: (cb) => board.on('log', cb),
      dropWifi: () => board.network.drop(),
      restoreWifi: () => board.network.restore(),
      powerCut: async () => board.powerCut(),
      async dispose() {
        board.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const builds = new Map<number, string>();

/** The native board at a JS heap size; its engine and jw-sim are built (or reused) by `prepareNative`. */
export function nativeBoard(jsHeapKb?: number): BoardKind {
  return {
    name: 'native',
    make(deviceId, brokerUrl, opts = {}) {
      const binary = builds.get(jsHeapKb ?? 0);
      if (!binary) throw new Error('the native board is not built: describeOnBoards (or prepareNative) builds it in a before hook');
      const dir = mkdtempSync(join(tmpdir(), `jw-native-${deviceId}-`));
      const root = repoRoot();
      const board = new NativeBoard({
        deviceId,
        binary,
        image: join(root, 'dist', 'device', 'app.img'),
        hostDir: dir,
        partitionsCsv: join(root, 'partitions.csv'),
        settings: testSettings(deviceId, brokerUrl, opts.settings),
      });
      board.on('log', log(deviceId));
      return {
        kind: 'native',
        deviceId,
        clock: { advance() {} },
        native: board,
        get faults() {
          return board.faults;
        },
        get running() {
          return board.running;
        },
        get boots() {
          return board.boots;
        },
        pass: (ms) => new Promise((r) => setTimeout(r, ms)),
        boot: () => board.boot(),
        gpioLevel: (pin) => board.gpioLevel(pin),
        onGpio: (cb) => board.on('gpio', cb),
        onLog: (cb) => board.on('log', cb),
        dropWifi: () => board.dropWifi(),
        restoreWifi: () => board.restoreWifi(),
        powerCut: () => board.powerCut(),
        async dispose() {
          await board.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** Skips loudly without JERRYSCRIPT_PATH (a failure under CI=true); otherwise builds the engine and jw-sim once. */
export async function prepareNative(ctx: Mocha.Context, jsHeapKb?: number): Promise<void> {
  const jp = process.env.JERRYSCRIPT_PATH;
  if (!jp) {
    if (process.env.CI === 'true') throw new Error('JERRYSCRIPT_PATH is not set but CI=true: .ci/run points it at ../shared/vendor/jerryscript-v3.0.0');
    console.warn(
      '\n' + '*'.repeat(72) + `\n*** SKIPPED on the native board: JERRYSCRIPT_PATH is not set (a JerryScript v3.0.0 checkout; docs/firmware.md)\n*** (${ctx.test?.parent?.fullTitle() ?? '?'})\n` + '*'.repeat(72) + '\n',
    );
    ctx.skip();
  }
  checkJerryscriptPath(jp);
  await ensureBundle();
  if (!builds.has(jsHeapKb ?? 0)) builds.set(jsHeapKb ?? 0, buildNativeSim({ root: repoRoot(), jsHeapKb }).binary);
}

/** The boards a suite runs on: V8 always, native too (skipped loudly when it cannot run). */
export const BOARDS: BoardKind[] = [V8_BOARD, nativeBoard()];

/** `describe` once per board, titled "<title> [v8]" / "<title> [native]"; the native one builds jw-sim first. */
export function describeOnBoards(title: string, body: (kind: BoardKind) => void, boards: BoardKind[] = BOARDS): void {
  for (const kind of boards) {
    describe(`${title} [${kind.name}]`, function () {
      this.timeout(60_000); // end to end: brokers, Node-RED flows, and real time on the native board
      if (kind.name === 'native') {
        before(async function () {
          this.timeout(15 * 60_000); // a first engine build on a cold CI machine
          await prepareNative(this);
        });
      }
      body(kind);
    });
  }
}
