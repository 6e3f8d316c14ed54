/**
 * OTA tests on the real simulated board: SimBoard runs dist/device/app.js (which starts the OTA receiver), with NOR
 * flash, NVS, otadata and the app loader, on a ManualClock that a pump advances while the host side (publisher,
 * broker, fault proxy) runs in real time. Power cuts are injected at exact points by wrapping the board's flash,
 * NVS and otadata objects (public fields of SimBoard): the wrapper cuts power and throws, so the device code stops
 * right there, as on a brown-out, and nothing after it runs.
 */
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { startFaultProxy, type FaultProxy } from '../../host/ota/testing/fault-proxy.ts';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootInfo, SimBoard } from '../../host/sim/board.ts';
import type { HeapStats } from '../../bindings/native.js';
import { ManualClock } from '../../host/sim/clock.ts';
import { PartitionView } from '../../host/sim/flash.ts';
import { validateAppImage, engineConfigHash, packAppImage } from '../../build/app-image.ts';
import { buildDevice } from '../../build/bundle.ts';
import { packageRoot as repoRoot } from '../../host/paths.ts';
import { checkFirmwareImage, firmwareImageLength } from '../../host/ota/firmware-image.ts';
import { buildManifest, signOffer, type ManifestInput, type Manifest } from '../../host/ota/offer.ts';
import { CONTRACT_VERSION } from '../../bindings/contract.ts';
import { ensureBundle, eventually, makeBoard, Observer, type TestBoard } from '../spine/util.ts';
import type { SettingName } from '../../device/settings/keys.ts';

export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
export const WINDOW = 16;
export const CHUNK = 4096;
/** docs/ota-protocol.md, Limits: solicited bytes in flight towards the device, and what the receiver allocates. */
export const IN_FLIGHT_BOUND = WINDOW * (16 + CHUNK);
export const heldBound = (size: number, chunk = CHUNK, window = WINDOW): number => chunk + Math.ceil(size / chunk / 8) + 12 * window;

export function keyPair(): { priv: KeyObject; pubDer: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { priv: privateKey, pubDer: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })) };
}

export function offerFor(inp: ManifestInput, key: KeyObject): { manifest: Manifest; offer: Buffer } {
  const manifest = buildManifest(inp);
  return { manifest, offer: signOffer(manifest, key) };
}

const bundles = new Map<number, string>();
/** The real device bundle built with APP_VERSION = version (cached per process). */
export async function bundleSource(version: number): Promise<string> {
  let src = bundles.get(version);
  if (src === undefined) {
    if (version === 1) src = readFileSync(await ensureBundle(), 'utf8');
    else {
      const dir = mkdtempSync(join(tmpdir(), 'jw-ota-build-'));
      try {
        const r = await buildDevice({ root: repoRoot(), appVersion: version, outDir: dir, budgetBytes: 1 << 20 });
        src = readFileSync(r.bundlePath, 'utf8');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    bundles.set(version, src);
  }
  return src;
}

/**
 * An app image that really runs: the device bundle built as `version`, padded with a trailing comment to about
 * `bytes` (so transfers have enough chunks to hurt), packed as a source payload.
 */
export async function runnableAppImage(version: number, bytes = 100 * 1024, contractVersion: number = CONTRACT_VERSION): Promise<Buffer> {
  const src = await bundleSource(version);
  const pad = Math.max(0, bytes - 128 - Buffer.byteLength(src) - 4);
  const payload = Buffer.from(`${src}\n//${'~'.repeat(pad)}\n`);
  return packAppImage(payload, { contractVersion, appVersion: version, payloadKind: 'source' });
}

/**
 * Advances a manual clock while real I/O runs: `stepMs` of board time per real millisecond or so; none while
 * `held()` (the board's timers wait, its MQTT messages still arrive).
 */
export function pump(clock: ManualClock, stepMs = 10, held: () => boolean = () => false): () => void {
  let stopped = false;
  const t = setInterval(() => stopped || held() || clock.advance(stepMs), 1);
  return () => {
    stopped = true;
    clearInterval(t);
  };
}

export class PowerCut extends Error {
  constructor(at: string) {
    super(`power cut at ${at}`);
  }
}

/** What a cut point sees: the operation about to run (or `:after` it ran) and its argument. */
export type CutPoint = { op: 'erase' | 'write' | 'kvSet' | 'setBoot' | 'setBoot:after' | 'markValid'; arg: string; n: number };

export interface SimDeviceOptions {
  brokerUrl: string;
  pubDer: Uint8Array;
  settings?: Partial<Record<SettingName, string | number | Uint8Array>>;
  stepMs?: number;
  /** Heap figures the board reports (SimBoard's `heap` option); unmeasurable by default. */
  heap?: () => HeapStats;
}

/** One simulated board running the real bundle, with the checks every OTA test makes. */
export class SimDevice {
  readonly tb: TestBoard;
  readonly boots: BootInfo[] = [];
  readonly logs: string[] = [];
  /** Boots that loaded an image that does not verify (must stay empty). */
  readonly unverifiedBoots: string[] = [];
  cuts = 0;
  /** While true the board's clock stands still (its timer steps wait; messages still reach it). */
  hold = false;
  /** Flash, NVS and otadata operations since the board was made, by `op:arg` (e.g. `erase:app_a`). */
  readonly ops = new Map<string, number>();
  /** The largest read the app made through native.partRead / partMap, by partition (bytes it held at once). */
  readonly largestRead = new Map<string, number>();
  private stopPump: (() => void) | null = null;
  private cutAt: ((p: CutPoint) => boolean | 'half') | null = null;

  constructor(
    readonly id: string,
    o: SimDeviceOptions,
  ) {
    this.tb = makeBoard(id, o.brokerUrl, {
      settings: { otaPubKey: o.pubDer, otaWindow: WINDOW, ...(o.settings ?? {}) } as never,
      ...(o.heap ? { heap: o.heap } : {}),
    });
    const b = this.tb.board;
    b.on('log', (l, m) => this.logs.push(`${l} ${m}`));
    b.on('boot', (info) => {
      this.boots.push(info);
      this.checkBootedImages(info);
    });
    this.wrapForCuts();
    this.stopPump = pump(this.tb.clock, o.stepMs ?? 10, () => this.hold);
  }

  get board(): SimBoard {
    return this.tb.board;
  }

  get clock(): ManualClock {
    return this.tb.clock;
  }

  boot(): BootInfo {
    return this.board.boot();
  }

  /** Arms one power cut: the first operation for which `at` is true cuts power (before it runs, or halfway for 'half'). */
  cutWhen(at: (p: CutPoint) => boolean | 'half', rebootAfterMs: number | null = 30): void {
    this.cutAt = (p) => {
      const r = at(p);
      if (r) {
        this.cutAt = null;
        this.cuts++;
        if (rebootAfterMs !== null)
          setTimeout(() => {
            if (!this.board.running && this.stopPump) this.board.boot();
          }, rebootAfterMs);
      }
      return r;
    };
  }

  /** The slot's image bytes, read back from the simulated flash. */
  slot(label: string, size: number): Buffer {
    const p = this.board.partitions.get(label)!;
    return new PartitionView(this.board.flash, p).read(0, size);
  }

  get lastBoot(): BootInfo {
    return this.boots[this.boots.length - 1]!;
  }

  stop(): void {
    this.stopPump?.();
    this.stopPump = null;
    this.tb.dispose();
  }

  /** The bootloader and the app loader must never start an image that does not verify. */
  private checkBootedImages(info: BootInfo): void {
    const b = this.board;
    const factory = info.firmwareSlot === 'ota_0' && b.otadata.state('ota_0') === 'valid' && this.slot('ota_0', 1)[0] === 0xff;
    if (!factory) {
      // An erased, valid ota_0 stands for the firmware the simulator was started with (it is not in the simulated
      // flash); any other slot booted must hold a valid image.
      const why = checkFirmwareImage(this.slot(info.firmwareSlot, b.partitions.get(info.firmwareSlot)!.size));
      if (why) this.unverifiedBoots.push(`boot ${info.boot}: firmware ${info.firmwareSlot}: ${why}`);
    }
    if (info.appSlot !== 'embedded') {
      try {
        validateAppImage(this.slot(info.appSlot, b.partitions.get(info.appSlot)!.size), { contractVersion: CONTRACT_VERSION, engineConfigHash: engineConfigHash() });
      } catch (e) {
        this.unverifiedBoots.push(`boot ${info.boot}: app ${info.appSlot}: ${(e as Error).message}`);
      }
    }
  }

  /** Wraps flash, NVS state and otadata so that a cut point can stop the board exactly there. */
  private wrapForCuts(): void {
    const b = this.board;
    const check = (op: CutPoint['op'], arg: string): boolean | 'half' => {
      if (!b.running) return false;
      const k = `${op}:${arg}`;
      const n = (this.ops.get(k) ?? 0) + 1;
      this.ops.set(k, n);
      return this.cutAt ? this.cutAt({ op, arg, n }) : false;
    };
    const cut = (where: string): never => {
      b.powerCut();
      throw new PowerCut(where);
    };
    const label = (addr: number) => [...b.partitions.values()].find((p) => addr >= p.offset && addr < p.offset + p.size)?.name ?? '?';
    const flash = b.flash;
    const read = flash.read.bind(flash);
    flash.read = (offset, length) => {
      // Only the app's reads (the native part* calls on the stack), not the loader's, otaValidate's or this harness's.
      if (b.running && /\bpart(Read|Map)\b/.test(new Error().stack ?? '')) {
        const l = label(offset);
        this.largestRead.set(l, Math.max(this.largestRead.get(l) ?? 0, length));
      }
      return read(offset, length);
    };
    const erase = flash.erase.bind(flash);
    const write = flash.write.bind(flash);
    flash.erase = (offset, length) => {
      if (check('erase', label(offset))) cut(`erase of ${label(offset)}`);
      erase(offset, length);
    };
    flash.write = (offset, data) => {
      const r = check('write', label(offset));
      if (r === 'half') write(offset, data.subarray(0, data.length >> 1));
      if (r) cut(`write to ${label(offset)}`);
      write(offset, data);
    };
    const state = b.state;
    const set = state.set.bind(state);
    state.set = (key, value) => {
      if (check('kvSet', key)) cut(`saving ${key}`);
      return set(key, value);
    };
    const od = b.otadata;
    const setBoot = od.setBoot.bind(od);
    const markValid = od.markValid.bind(od);
    od.setBoot = (slot) => {
      if (check('setBoot', slot)) cut('set-boot');
      setBoot(slot);
      if (check('setBoot:after', slot)) cut('after set-boot');
    };
    od.markValid = () => {
      if (check('markValid', od.running)) cut('mark-valid');
      markValid();
    };
  }
}

/** Observes the OTA and online status topics (not the data frames). */
export async function statusObserver(url: string): Promise<Observer> {
  const o = await Observer.connect(url, 'esp/+/ota/status');
  await o.client.subscribeAsync('esp/+/status', { qos: 1 });
  return o;
}

/** The retained OTA status of a device as a newcomer sees it (what `jerrywatt ota status` reads). */
export async function retainedStatus(url: string, id: string): Promise<any> {
  const o = await Observer.connect(url, `esp/${id}/ota/status`);
  try {
    for (let i = 0; i < 200 && o.messages.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const m = o.messages[0];
    assert.ok(m, `no retained status for ${id}`);
    assert.equal(m.retain, true);
    return m.json;
  } finally {
    await o.close();
  }
}

export type Expect = 'new' | 'old';

/**
 * The invariant of every fault: the board runs exactly the new image (SHA-256 of the slot it booted, read from
 * flash) or still the old one; its retained status says which; no boot loaded an unverified image; the receiver's
 * own accounting stayed within the window bound.
 */
export async function assertEndsWell(d: SimDevice, obs: Observer, brokerUrl: string, kind: 'app' | 'firmware' | 'model', image: Buffer, expect: Expect, old: { app?: string; fw?: string; state?: RegExp } = {}): Promise<any> {
  const b = d.board;
  // A rollback restarts a moment after its status went out: wait until the board runs what its last status names.
  await eventually(() => {
    const last = obs.last(`esp/${d.id}/ota/status`)?.json;
    return b.running && last && /accepted|rejected|rolled-back|idle/.test(last.state) && last.running?.fw === b.otadata.running && last.running?.app === d.lastBoot.appSlot;
  }, `${d.id} settled`);
  const st = await retainedStatus(brokerUrl, d.id);
  const boot = d.lastBoot;
  if (kind === 'app') {
    if (expect === 'new') {
      assert.match(st.state, old.state ?? /^accepted$/, JSON.stringify(st));
      assert.notEqual(boot.appSlot, 'embedded');
      assert.equal(sha(d.slot(boot.appSlot, image.length)), sha(image), 'running app is byte-identical to the offer');
      assert.equal(st.running.app, boot.appSlot);
    } else {
      assert.match(st.state, /rejected|rolled-back|idle/, JSON.stringify(st));
      assert.equal(boot.appSlot, old.app ?? 'embedded', 'still the old app');
      assert.equal(st.running.app, boot.appSlot);
    }
  } else if (kind === 'firmware') {
    const running = b.otadata.running;
    assert.equal(boot.firmwareSlot, running);
    if (expect === 'new') {
      assert.match(st.state, old.state ?? /^accepted$/, JSON.stringify(st));
      assert.equal(b.otadata.state(running), 'valid');
      assert.notEqual(running, old.fw ?? 'ota_0');
      assert.equal(sha(d.slot(running, image.length)), sha(image), 'running firmware is byte-identical to the offer');
      assert.equal(firmwareImageLength(d.slot(running, b.partitions.get(running)!.size)), image.length);
    } else {
      // idle: an unsigned offer's refusal is not retained, so the status still says nothing happened.
      assert.match(st.state, /rejected|rolled-back|idle/, JSON.stringify(st));
      assert.equal(running, old.fw ?? 'ota_0', 'still the old firmware');
      assert.equal(b.otadata.state(running), 'valid');
    }
    assert.equal(st.running.fw, running);
  } else {
    if (expect === 'new') {
      assert.equal(st.state, 'accepted', JSON.stringify(st));
      assert.equal(sha(d.slot(st.running.model, image.length)), sha(image));
    } else assert.match(st.state, /rejected|rolled-back|idle/, JSON.stringify(st));
  }
  assert.deepEqual(d.unverifiedBoots, [], 'never booted an unverified image');
  assertMemory(d, obs, image.length);
  return st;
}

/** The receiver reports its peak in-flight and held bytes in every status; none, over every boot, may pass the bound. */
export function assertMemory(d: SimDevice, obs: Observer, imageBytes: number): void {
  const all = obs.on(`esp/${d.id}/ota/status`).map((m) => m.json);
  assert.ok(all.length > 0, `${d.id} published no OTA status`);
  let peak = 0;
  // A bare refusal names no transfer: bound it by the largest transfer this device saw.
  const most = Math.max(Math.ceil(imageBytes / CHUNK), ...all.map((st) => Number(st?.total) || 0));
  for (const st of all) {
    const mem = st?.mem as { peak: number; held: number } | undefined;
    assert.ok(mem && Number.isFinite(mem.peak) && Number.isFinite(mem.held), `status without mem: ${JSON.stringify(st)}`);
    peak = Math.max(peak, mem.peak);
    // `held` is per transfer; a status names its transfer's chunk count (`total`), or none for a bare refusal.
    const total = Number(st.total) || most;
    assert.ok(mem.held <= heldBound(total * CHUNK), `${d.id}: held ${mem.held} > ${heldBound(total * CHUNK)} in ${JSON.stringify(st)}`);
  }
  assert.ok(peak <= IN_FLIGHT_BOUND, `${d.id}: peak in flight ${peak} > ${IN_FLIGHT_BOUND}`);
}

/** A small real model.bin (host/model/format.ts) on features a meter can compute, with a "normal" class. */
export async function testModelBin(version: number): Promise<Buffer> {
  const { trainForest } = await import('../../host/forest/train.ts');
  const { packModel } = await import('../../host/model/pack.ts');
  const { blobs } = await import('../forest/fixtures.ts');
  const ds = blobs(400, 7, 3, 4);
  const featureNames = ['voltagePu', 'current', 'activePower', 'freqDevPct'];
  const classes = ['normal', 'sag', 'swell'];
  const rows = Int32Array.from({ length: 400 }, (_, i) => i);
  const model = await trainForest(
    { X: ds.X, nFeatures: 4, featureNames, labels: ds.classIdx, classes, target: 'class', rows },
    { trees: 8, maxDepth: 8, minLeaf: 2, maxBins: 64, classWeight: 'balanced', seed: 3, workers: 1 },
  );
  return Buffer.from(packModel(model, { modelVersion: version }).bytes);
}

/**
 * What every end-to-end OTA suite starts from, registered as mocha hooks: an aedes broker, the fault proxy in
 * front of it, a status observer, and devices that are stopped after each test. Fields change per test (a test may
 * replace `proxy`), so read them through the returned object.
 */
export interface OtaWorld {
  broker: EmbeddedBroker;
  proxy: FaultProxy;
  obs: Observer;
  devices: SimDevice[];
  /** Boots a device that reaches the broker through the proxy, provisioned with `pubDer`. */
  device(id?: string, extra?: Partial<SimDeviceOptions>): SimDevice;
}

export function otaWorld(pubDer: Uint8Array): OtaWorld {
  const w = { devices: [] as SimDevice[] } as OtaWorld;
  w.device = (id = 'dev1', extra = {}) => {
    const d = new SimDevice(id, { brokerUrl: w.proxy.url, pubDer, ...extra });
    w.devices.push(d);
    d.boot();
    return d;
  };
  beforeEach(async () => {
    w.broker = await startEmbeddedBroker();
    w.proxy = await startFaultProxy(w.broker.port);
    w.obs = await statusObserver(w.broker.url);
  });
  afterEach(async () => {
    for (const d of w.devices.splice(0)) d.stop();
    await w.obs.close();
    await w.proxy.close();
    await w.broker.close();
  });
  return w;
}
