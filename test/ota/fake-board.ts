/**
 * A minimal stand-in for the simulated board, enough for the OTA receiver: NOR flash partitions from
 * partitions.csv (erase to 0xFF, writes only clear bits), the two state stores, ESP-IDF-like OTA slots with
 * rollback (a pending-verify image rebooted without being marked valid is aborted), the app loader rule of
 * docs/app-boot.md, timers that a power cut stops, and crypto from node:crypto.
 * A "board" keeps flash and NVS across boots; `boot()` starts a new run of the firmware.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { p256 } from '@noble/curves/p256';
import { readFileSync } from 'node:fs';
import type { Native, OtaState, PartitionInfo } from '../../bindings/native.js';
import { checkFirmwareImage } from '../../host/ota/firmware-image.ts';
import { engineConfigHash, validateAppImage } from '../../build/app-image.ts';

const CSV = new URL('../../partitions.csv', import.meta.url);

export function readPartitions(): PartitionInfo[] {
  const out: PartitionInfo[] = [];
  for (const line of readFileSync(CSV, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [label, , , off, size] = line.split(',').map((s) => s.trim());
    out.push({ label: label!, address: Number(off), size: Number(size), eraseSize: 4096 });
  }
  return out;
}

export class FakeBoard {
  readonly parts = new Map<string, PartitionInfo>();
  readonly flash = new Map<string, Uint8Array>();
  readonly kv = new Map<string, string | number | ArrayBuffer>();
  /** Firmware slots: which one runs, which boots next, and their states (the otadata partition). */
  ota = { running: 'ota_0', next: '', prev: '', states: { ota_0: 'valid', ota_1: 'undefined' } as Record<string, OtaState> };
  appSlot = 'embedded';
  bootEpoch = 0;
  heapFree = 60000;
  restarts = 0;
  /** Called (asynchronously) when the firmware asks for a restart. */
  onRestart: () => void = () => {};
  /** Called before flash, boot-switch and state writes (and after a successful set-boot): a test can cut power here. */
  hook: (op: string, arg: string) => void = () => {};
  private timers = new Set<NodeJS.Timeout>();
  private t0 = Date.now();

  constructor(readonly id: string) {
    for (const p of readPartitions()) {
      this.parts.set(p.label, p);
      if (p.label.startsWith('ota_') || p.label.startsWith('app_') || p.label.startsWith('model_')) this.flash.set(p.label, new Uint8Array(p.size).fill(0xff));
    }
  }

  setKv(store: 'settings' | 'state', key: string, value: string | number | ArrayBuffer): void {
    this.kv.set(`${store}:${key}`, value);
  }

  getKv(store: 'settings' | 'state', key: string): string | number | ArrayBuffer | undefined {
    return this.kv.get(`${store}:${key}`);
  }

  /** Power off: every timer of this run stops; flash and NVS stay. */
  powerOff(): void {
    for (const t of this.timers) clearTimeout(t), clearInterval(t);
    this.timers.clear();
    this.bootEpoch++;
  }

  /** Bootloader + app loader, as on a real boot. */
  boot(): void {
    this.powerOff();
    this.t0 = Date.now();
    const o = this.ota;
    if (o.states[o.running] === 'pending-verify') {
      // Rebooted on probation without being marked valid: the ESP-IDF bootloader aborts it.
      o.states[o.running] = 'aborted';
      o.running = o.prev || (o.running === 'ota_0' ? 'ota_1' : 'ota_0');
    }
    if (o.next) {
      const fresh = o.states[o.next] === 'new';
      o.prev = o.running;
      o.running = o.next;
      o.next = '';
      if (fresh) o.states[o.running] = 'pending-verify'; // else a rollback back to a valid image
    }
    this.appBoot();
  }

  private appBoot(): void {
    const get = (k: string) => this.getKv('state', k);
    if (get('appTrial') === 2) {
      this.setKv('state', 'appRolled', `probation failed: ${get('appSlot')}`);
      this.setKv('state', 'appSlot', (get('appPrev') as string) ?? '');
      this.setKv('state', 'appTrial', 0);
    } else if (get('appTrial') === 1) this.setKv('state', 'appTrial', 2);
    const ok = (slot: unknown) => {
      if (slot !== 'app_a' && slot !== 'app_b') return false;
      const bytes = this.flash.get(slot)!;
      const size = 128 + new DataView(bytes.buffer).getUint32(20, true);
      try {
        validateAppImage(bytes.subarray(0, Math.min(size, bytes.length)), { contractVersion: 1, engineConfigHash: engineConfigHash() });
        return true;
      } catch (e) {
        this.setKv('state', 'appRolled', `${slot}: ${(e as Error).message}`);
        return false;
      }
    };
    if (ok(get('appSlot'))) this.appSlot = get('appSlot') as string;
    else if (ok(get('appPrev'))) ((this.appSlot = get('appPrev') as string), this.setKv('state', 'appTrial', 0));
    else this.appSlot = 'embedded';
  }

  /** The image bytes in a slot (firmware: the ESP image length; app: header + payload). */
  slotBytes(label: string, size: number): Uint8Array {
    return this.flash.get(label)!.subarray(0, size);
  }

  native(): Native {
    const board = this;
    const epoch = this.bootEpoch;
    const live = () => board.bootEpoch === epoch;
    const part = (label: string) => {
      const f = board.flash.get(label);
      if (!f) throw new TypeError(`no partition ${label}`);
      return f;
    };
    const sha = new Map<number, ReturnType<typeof createHash>>();
    let shaNext = 1;
    const n: Partial<Native> = {
      contractVersion: 1,
      log: () => {},
      millis: () => Date.now() - board.t0,
      wallClock: () => Date.now(),
      timerStart(ms, repeat, cb) {
        if (!live()) return 0;
        const t: NodeJS.Timeout = repeat ? setInterval(() => live() && cb(), ms) : setTimeout(() => (board.timers.delete(t), live() && cb()), ms);
        board.timers.add(t);
        return t as unknown as number;
      },
      timerStop(id) {
        const t = id as unknown as NodeJS.Timeout;
        clearTimeout(t);
        clearInterval(t);
        board.timers.delete(t);
      },
      kvGet(store, key, type) {
        const v = board.getKv(store, key);
        if (v === undefined) return undefined;
        if (type === 'i32' && typeof v !== 'number') return undefined;
        if (type === 'str' && typeof v !== 'string') return undefined;
        if (type === 'blob') return v instanceof ArrayBuffer ? v.slice(0) : undefined;
        return v;
      },
      kvSet(store, key, value) {
        board.hook('kvSet', key);
        if (!live()) return false;
        board.setKv(store, key, value instanceof ArrayBuffer ? value.slice(0) : value);
        return true;
      },
      kvErase(store, key) {
        if (live()) board.kv.delete(`${store}:${key}`);
      },
      partInfo: (label) => board.parts.get(label),
      partRead: (label, off, len) => part(label).slice(off, off + len).buffer,
      partMap: (label, off, len) => part(label).slice(off, off + len).buffer,
      partErase(label, off, len) {
        if (off % 4096 || len % 4096) throw new TypeError('erase not sector-aligned');
        board.hook('partErase', label);
        if (live()) part(label).fill(0xff, off, off + len);
      },
      partWrite(label, off, data) {
        board.hook('partWrite', label);
        if (!live()) return;
        const f = part(label);
        const d = new Uint8Array(data);
        if (off + d.length > f.length) throw new RangeError('write past the partition');
        for (let i = 0; i < d.length; i++) f[off + i]! &= d[i]!; // NOR: bits only clear
      },
      otaNextSlot: () => board.parts.get(board.ota.running === 'ota_0' ? 'ota_1' : 'ota_0')!,
      otaValidate: (label) => checkFirmwareImage(part(label)),
      otaSetBoot(label) {
        const why = checkFirmwareImage(part(label));
        if (why) return why;
        board.hook('otaSetBoot', label);
        if (live()) ((board.ota.next = label), (board.ota.states[label] = 'new'));
        board.hook('otaSetBoot:after', label);
        return null;
      },
      otaRunning: () => ({ label: board.ota.running, state: board.ota.states[board.ota.running]! }),
      otaMarkValid() {
        board.hook('otaMarkValid', board.ota.running);
        if (live()) board.ota.states[board.ota.running] = 'valid';
      },
      otaRollback() {
        if (!live()) return;
        board.ota.states[board.ota.running] = 'invalid';
        board.ota.next = board.ota.prev;
        board.requestRestart();
      },
      sha256Begin() {
        sha.set(shaNext, createHash('sha256'));
        return shaNext++;
      },
      sha256Update: (ctx, data) => void sha.get(ctx)!.update(typeof data === 'string' ? data : new Uint8Array(data)),
      sha256Finish(ctx) {
        const d = sha.get(ctx)!.digest();
        sha.delete(ctx);
        return new Uint8Array(d).buffer;
      },
      ecdsaP256Verify(pub, digest, sig) {
        try {
          // node:crypto cannot verify over a given digest; the contract takes one (as mbedTLS does).
          const jwk = createPublicKey({ key: Buffer.from(pub), format: 'der', type: 'spki' }).export({ format: 'jwk' });
          const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
          return p256.verify(new Uint8Array(sig), new Uint8Array(digest), point, { lowS: false, prehash: false, format: 'der' });
        } catch {
          return false;
        }
      },
      deviceId: () => board.id,
      info: () => ({ firmware: `fake-${board.ota.running}`, chip: 'esp32', engine: 'node-sim', engineConfigHash: engineConfigHash(), contractVersion: 1, appSlot: board.appSlot }),
      resetReason: () => 'sw',
      heapStats: () => ({ jsSize: 65536, jsUsed: 65536 - board.heapFree, jsPeak: 0, nativeFree: 100000, nativeMinFree: 90000 }),
      restart() {
        if (live()) board.requestRestart();
      },
    };
    return n as Native;
  }

  private requestRestart(): void {
    this.restarts++;
    this.powerOff();
    setImmediate(() => this.onRestart());
  }
}
