/**
 * The OTA receiver: the I/O half (native flash/OTA/crypto/KV calls and the MQTT client) around the pure parts
 * (frame.ts, manifest.ts, window.ts, app-header.ts). docs/ota-protocol.md is the spec; phases and their order of
 * persistence are there.
 */
import { readFrame, writeRequest, FRAME_HEADER_BYTES, REQUEST_MAX_BYTES, type FrameHeader } from './frame.ts';
import { parseOffer, judgeManifest, hex, type Offer, type OtaKind } from './manifest.ts';
import { ChunkWindow } from './window.ts';
import { checkAppHeader, APP_HEADER_BYTES, APP_FORMAT } from './app-header.ts';
import { crc32 } from '../lib/crc32.ts';
import { OtaStore } from './store.ts';
import type { Native } from '../../bindings/native.js';

/** The part of an mqtt.js-like client the receiver uses (the device polyfill, or mqtt.js in host tests). */
export interface OtaClient {
  readonly connected: boolean;
  on(event: 'message', cb: (topic: string, payload: Uint8Array) => void): unknown;
  on(event: 'connect', cb: () => void): unknown;
  subscribe(topic: string, opts: { qos: 0 | 1 }): unknown;
  publish(topic: string, payload: string | Uint8Array, opts?: { qos?: 0 | 1; retain?: boolean }): unknown;
}

export interface OtaOptions {
  deviceId: string;
  prefix: string;
  group: string;
  maxMsg: number;
  window: number;
  probeSec: number;
  heapMin: number;
  /** First retry timeout of a chunk request, ms. */
  retryMs?: number;
  /** Probation passes no earlier than this (the app must have run a while without an uncaught error), ms. */
  settleMs?: number;
  /** Called after a model has been verified and switched in (the model runtime reloads from `slot`). */
  /** Told of a verified model before it is switched in; returns null to take it, or why it is refused. */
  onModel?: (slot: string, version: number) => string | null;
  /** The contract to use; the global `native` on the device. Host tests run several boards in one process. */
  native?: Native;
}

export type OtaState = 'idle' | 'offered' | 'downloading' | 'verifying' | 'pending-verify' | 'accepted' | 'rejected' | 'rolled-back';
type Phase = 'erase' | 'download' | 'verify' | 'pending';

const SECTOR = 4096;
const ERASE_SECTORS_PER_STEP = 2;
const HASH_BYTES_PER_STEP = 32768;
const SEQ_KEY: { [k in OtaKind]: 'otaSeqFw' | 'otaSeqApp' | 'otaSeqModel' } = { firmware: 'otaSeqFw', app: 'otaSeqApp', model: 'otaSeqModel' };
const MODEL_FORMAT = 1;

export class OtaReceiver {
  state: OtaState = 'idle';
  reason = '';
  /** Counters for tests and the benchmark. */
  readonly stats = { frames: 0, dropped: 0, dups: 0, requests: 0, peakOutstandingBytes: 0, heldBytes: 0 };
  private offer: Offer | null = null;
  private label = '';
  private phase: Phase | null = null;
  private win: ChunkWindow | null = null;
  private done = 0;
  private doneCrc = 0;
  private savedAtReceived = 0;
  private probeBoots = 0;
  private eraseAt = 0;
  private eraseEnd = 0;
  private scratch: ArrayBuffer | null = null;
  private scratchView: Uint8Array | null = null;
  private stepTimer = 0;
  private pollTimer = 0;
  private lastStatusAt = -1e9;
  private probeStart = 0;
  private probing = false;
  private lastFinal = '';
  private readonly hdr: FrameHeader = { session: 0, index: 0, length: 0, crc: 0 };
  private readonly reqBuf = new Uint8Array(REQUEST_MAX_BYTES);
  private readonly n: Native;
  private readonly st: OtaStore;
  private readonly t: { offer: string; group: string; data: string; req: string; status: string };

  constructor(
    private readonly client: OtaClient,
    private readonly o: OtaOptions,
  ) {
    this.n = o.native ?? native;
    this.st = new OtaStore(this.n);
    const base = `${o.prefix}/${o.deviceId}/ota/`;
    this.t = { offer: base + 'offer', group: `${o.prefix}/group/${o.group}/ota/offer`, data: base + 'data', req: base + 'req', status: base + 'status' };
  }

  /** Subscribes, resumes whatever was in progress (after a reboot) and republishes the last status. */
  start(): void {
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload));
    this.client.on('connect', () => this.onConnect());
    this.client.subscribe(this.t.offer, { qos: 1 });
    if (this.o.group) this.client.subscribe(this.t.group, { qos: 1 });
    this.client.subscribe(this.t.data, { qos: 0 });
    this.resume();
    this.pollTimer = this.n.timerStart(100, true, () => this.poll());
  }

  stop(): void {
    if (this.pollTimer) this.n.timerStop(this.pollTimer);
    if (this.stepTimer) this.n.timerStop(this.stepTimer);
    this.pollTimer = this.stepTimer = 0;
  }

  get busy(): boolean {
    return this.phase !== null;
  }

  // --- messages --------------------------------------------------------------------------------------

  private onMessage(topic: string, payload: Uint8Array): void {
    if (topic === this.t.data) this.onFrame(payload);
    else if (topic === this.t.offer || topic === this.t.group) this.onOffer(payload);
  }

  private onConnect(): void {
    if (this.win) this.win.clearFlight();
    this.publishStatus(true);
  }

  private onOffer(buf: Uint8Array): void {
    if (buf.length === 0) return; // a cleared retained offer
    const offer = parseOffer(buf);
    if (typeof offer === 'string') return this.refuse(0, offer);
    const m = offer.manifest;
    const cur = this.offer?.manifest;
    if (cur && this.phase !== null) {
      if (m.session === cur.session) return;
      if (m.kind === cur.kind && m.version === cur.version && m.sha256 === cur.sha256) {
        if (!this.verifySignature(offer)) return this.refuse(m.session, 'bad signature');
        this.offer = this.copyOffer(offer); // a restarted publisher: same image, new session
        this.st.set('otaOffer', this.offerBytes());
        this.save();
        if (this.win) this.win.clearFlight();
        return this.publishStatus(true);
      }
      if (this.phase === 'pending' || m.kind !== cur.kind || m.version <= cur.version) return this.refuse(m.session, 'busy', true);
    }
    if (!this.verifySignature(offer)) return this.refuse(m.session, 'bad signature');
    const accepted = this.st.get(SEQ_KEY[m.kind]) as number;
    // Already installed (a re-sent or stale retained offer): answer without touching the retained status.
    if (m.version === accepted) return this.refuse(m.session, `version ${accepted} is already installed`, true);
    const label = this.slotFor(m.kind);
    const part = label ? this.n.partInfo(label) : undefined;
    const info = this.n.info();
    const why = judgeManifest(m, {
      deviceId: this.o.deviceId,
      group: this.o.group,
      chip: info.chip,
      now: this.n.wallClock(),
      acceptedVersion: accepted,
      slotSize: part ? part.size : 0,
      contract: info.contractVersion,
      engineConfig: info.engineConfigHash,
      maxMsg: this.o.maxMsg,
      dataTopicBytes: this.t.data.length,
      formats: { app: APP_FORMAT, model: MODEL_FORMAT },
    });
    if (why) return this.refuse(m.session, why, cur !== undefined && this.phase !== null);
    // Accepted for download: supersedes whatever was in progress.
    this.halt();
    this.stats.peakOutstandingBytes = this.stats.heldBytes = 0; // `mem` in the status is per transfer
    this.offer = this.copyOffer(offer);
    this.label = label;
    this.done = 0;
    this.doneCrc = 0;
    this.probeBoots = 0;
    this.st.set('otaOffer', this.offerBytes());
    this.enter('erase');
    this.setState('offered', '');
    this.beginTransfer();
  }

  private onFrame(buf: Uint8Array): void {
    const win = this.win;
    const m = this.offer?.manifest;
    if (!win || !m || this.phase !== 'download') return void this.stats.dropped++;
    if (buf.length > FRAME_HEADER_BYTES + m.chunk) return void this.stats.dropped++; // oversize: never copied
    const h = this.hdr;
    if (readFrame(buf, h) !== null || h.session !== m.session || h.index >= win.total) return void this.stats.dropped++;
    const off = h.index * m.chunk;
    const len = Math.min(m.chunk, m.size - off);
    if (h.length !== len) return void this.stats.dropped++;
    if (win.has(h.index)) return void this.stats.dups++;
    this.stats.frames++;
    // partWrite takes an ArrayBuffer: copy into the one scratch chunk instead of allocating per frame.
    const data = len === m.chunk ? this.scratch! : new ArrayBuffer(len);
    const view = len === m.chunk ? this.scratchView! : new Uint8Array(data);
    view.set(buf.subarray(FRAME_HEADER_BYTES));
    this.n.partWrite(this.label, off, data);
    if (crc32(new Uint8Array(this.n.partMap(this.label, off, len))) !== h.crc) {
      // Flash did not take it (written over non-erased bytes): erase that sector and fetch what lived there again.
      return this.rewind(h.index);
    }
    win.mark(h.index);
    this.advanceSaved();
    if (win.complete) return this.toVerify();
    this.request();
    this.publishStatus(false);
  }

  // --- phases ----------------------------------------------------------------------------------------

  private beginTransfer(): void {
    const m = this.offer!.manifest;
    this.win = new ChunkWindow(Math.ceil(m.size / m.chunk), Math.max(1, Math.min(64, this.o.window)), this.o.retryMs ?? 1500);
    this.win.markPrefix(this.done);
    this.savedAtReceived = this.done;
    if (!this.scratch || this.scratch.byteLength !== m.chunk) {
      this.scratch = new ArrayBuffer(m.chunk);
      this.scratchView = new Uint8Array(this.scratch);
    }
    // What this transfer holds: the scratch chunk, the bitmap and the window table (index + time per entry).
    const held = m.chunk + this.win.received.length + 12 * this.win.window;
    if (held > this.stats.heldBytes) this.stats.heldBytes = held;
    this.eraseAt = this.done * m.chunk;
    this.eraseEnd = Math.ceil(m.size / SECTOR) * SECTOR;
    this.enter('erase');
    this.step(() => this.eraseStep());
  }

  private eraseStep(): void {
    const n = Math.min(ERASE_SECTORS_PER_STEP * SECTOR, this.eraseEnd - this.eraseAt);
    if (n > 0) {
      this.n.partErase(this.label, this.eraseAt, n);
      this.eraseAt += n;
      return this.step(() => this.eraseStep());
    }
    this.enter('download');
    this.setState('downloading', '');
    this.request();
  }

  private request(): void {
    if (!this.win || this.phase !== 'download' || !this.client.connected) return;
    const ranges = this.win.next(this.n.millis());
    if (!ranges) return;
    const n = writeRequest(this.reqBuf, this.offer!.manifest.session, ranges);
    this.stats.requests++;
    const out = this.win.inFlight * (FRAME_HEADER_BYTES + this.offer!.manifest.chunk);
    if (out > this.stats.peakOutstandingBytes) this.stats.peakOutstandingBytes = out;
    this.client.publish(this.t.req, this.reqBuf.subarray(0, n), { qos: 0 });
  }

  /** Saves `done` at sector-aligned boundaries of the contiguous prefix, at most once per window of progress. */
  private advanceSaved(): void {
    const m = this.offer!.manifest;
    const win = this.win!;
    const perSector = Math.max(1, SECTOR / m.chunk);
    const prefix = win.complete ? win.total : win.lowest - (win.lowest % perSector);
    if (prefix <= this.done || (prefix - this.done < win.window && !win.complete)) return;
    const from = this.done * m.chunk;
    const to = Math.min(prefix * m.chunk, m.size);
    this.doneCrc = crc32(new Uint8Array(this.n.partMap(this.label, from, to - from)), this.doneCrc);
    this.done = prefix;
    this.save();
  }

  private rewind(index: number): void {
    const m = this.offer!.manifest;
    const sector = Math.floor((index * m.chunk) / SECTOR) * SECTOR;
    this.n.partErase(this.label, sector, SECTOR);
    this.stats.dropped++;
    // Every chunk of that sector is lost: forget them (they are above `done`, since saved sectors are never rewritten).
    const first = Math.floor(sector / m.chunk);
    const last = Math.min(this.win!.total, Math.ceil((sector + SECTOR) / m.chunk));
    const w = this.win!;
    for (let i = first; i < last; i++) {
      if (w.has(i)) {
        w.received[i >> 3]! &= ~(1 << (i & 7));
        w.receivedCount--;
      }
    }
    if (first < w.lowest) w.lowest = first;
  }

  private toVerify(): void {
    this.enter('verify');
    this.setState('verifying', '');
    const m = this.offer!.manifest;
    const all = this.n.sha256Begin();
    const payload = m.kind === 'app' ? this.n.sha256Begin() : 0;
    let at = 0;
    const hashStep = (): void => {
      const n = Math.min(HASH_BYTES_PER_STEP, m.size - at);
      if (n > 0) {
        this.n.sha256Update(all, this.n.partMap(this.label, at, n));
        if (payload && at + n > APP_HEADER_BYTES) {
          const from = Math.max(at, APP_HEADER_BYTES);
          this.n.sha256Update(payload, this.n.partMap(this.label, from, at + n - from));
        }
        at += n;
        return this.step(hashStep);
      }
      const got = hex(new Uint8Array(this.n.sha256Finish(all)));
      const payloadSha = payload ? hex(new Uint8Array(this.n.sha256Finish(payload))) : '';
      if (got !== m.sha256) return this.fail('image SHA-256 mismatch');
      const why = this.checkKind(payloadSha);
      if (why) return this.fail(why);
      this.install();
    };
    this.step(hashStep);
  }

  private checkKind(payloadSha: string): string | null {
    const m = this.offer!.manifest;
    if (m.kind === 'firmware') return this.n.otaValidate(this.label, m.size);
    if (m.kind === 'app') {
      const info = this.n.info();
      const out = { payloadSha256: '' };
      const why = checkAppHeader(new Uint8Array(this.n.partMap(this.label, 0, Math.min(APP_HEADER_BYTES, m.size))), { contract: info.contractVersion, engineConfig: info.engineConfigHash, version: m.version, imageSize: m.size }, out);
      if (why) return why;
      return out.payloadSha256 === payloadSha ? null : 'app payload SHA-256 mismatch';
    }
    // model: size, hash and signature; and when it is a model.bin (host/model/format.ts), its own version and size.
    const h = new Uint8Array(this.n.partMap(this.label, 0, Math.min(16, m.size)));
    if (h.length === 16 && h[0] === 0x4a && h[1] === 0x57 && h[2] === 0x52 && h[3] === 0x46) {
      const dv = new DataView(h.buffer, h.byteOffset, 16);
      if (dv.getUint32(8, true) !== m.version) return `model says version ${dv.getUint32(8, true)}, not the offered ${m.version}`;
      if (dv.getUint32(12, true) !== m.size) return 'model size does not match its header';
    }
    return null;
  }

  private install(): void {
    const m = this.offer!.manifest;
    if (m.kind === 'model') {
      // The model runtime may refuse it (features it cannot compute): the old model stays, and no version is spent.
      const why = this.o.onModel ? this.o.onModel(this.label, m.version) : null;
      if (why) return this.fail(`model refused: ${why}`);
      this.st.set('modelSlot', this.label);
      return this.finish('accepted', '');
    }
    if (m.kind === 'firmware') {
      const why = this.n.otaSetBoot(this.label);
      if (why) return this.fail(why);
    } else {
      const running = this.n.info().appSlot;
      this.st.set('appPrev', running === 'app_a' || running === 'app_b' ? running : '');
      this.st.set('appSlot', this.label);
      this.st.set('appTrial', 1);
    }
    this.enter('pending');
    this.setState('pending-verify', '');
    // Give the status a moment to leave before the restart.
    this.step(() => this.n.restart(), 200);
  }

  // --- boot: resume and probation --------------------------------------------------------------------

  private resume(): void {
    const saved = this.st.get('otaOffer') as ArrayBuffer | null;
    const prog = (this.st.get('otaProg') as string).split(',');
    if (!saved || prog.length < 6) return this.republishLast();
    const offer = parseOffer(new Uint8Array(saved));
    if (typeof offer === 'string' || !this.verifySignature(offer)) return this.drop('saved offer no longer verifies');
    this.offer = offer;
    const phase = prog[0] as Phase;
    this.done = Number(prog[2]) || 0;
    this.doneCrc = Number(prog[3]) >>> 0;
    this.probeBoots = Number(prog[4]) || 0;
    this.label = prog[5]!;
    const m = offer.manifest;
    if (!this.n.partInfo(this.label)) return this.drop('saved slot is gone');
    if (phase === 'pending' || (phase === 'verify' && this.switched())) return this.probation();
    if (phase === 'verify') {
      this.done = Math.ceil(m.size / m.chunk);
    }
    // Re-check what the saved progress claims is in flash.
    const bytes = Math.min(this.done * m.chunk, m.size);
    if (bytes > 0 && crc32(new Uint8Array(this.n.partMap(this.label, 0, bytes))) !== this.doneCrc) {
      this.done = 0;
      this.doneCrc = 0;
    }
    if (this.done * m.chunk >= m.size) {
      this.win = null;
      return this.toVerify();
    }
    this.setState('downloading', '');
    this.beginTransfer();
  }

  /** After a restart mid-install: did the boot switch already happen? */
  private switched(): boolean {
    const m = this.offer!.manifest;
    if (m.kind === 'firmware') {
      const r = this.n.otaRunning();
      return r.label === this.label && r.state === 'pending-verify';
    }
    return m.kind === 'app' && this.n.info().appSlot === this.label && this.st.get('appTrial') === 2;
  }

  private probation(): void {
    const m = this.offer!.manifest;
    this.phase = 'pending';
    if (m.kind === 'firmware') {
      const r = this.n.otaRunning();
      if (r.label !== this.label) return this.finish('rolled-back', `booted ${r.label}, not ${this.label}`);
      if (r.state === 'valid') return this.finish('accepted', '');
    } else if (m.kind === 'app') {
      const running = this.n.info().appSlot;
      if (running !== this.label) return this.finish('rolled-back', (this.st.get('appRolled') as string) || `loader did not boot ${this.label}`);
      if (this.st.get('appTrial') === 0) return this.finish('accepted', '');
    }
    if (this.probeBoots >= 1) return this.rollback('restarted during probation');
    this.probeBoots = 1;
    this.save();
    this.setState('pending-verify', '');
    this.probeStart = this.n.millis();
    this.probing = true;
  }

  private probeCheck(): void {
    const elapsed = this.n.millis() - this.probeStart;
    const heap = this.n.heapStats();
    const free = heap.jsSize - heap.jsUsed;
    // A heap the runtime cannot measure (NaN on the simulated board) does not fail the check.
    const healthy = this.client.connected && !(free < this.o.heapMin);
    // Healthy for the settle time passes; a deadline shorter than the settle time must not fail a healthy image.
    if (healthy && elapsed >= Math.min(this.o.settleMs ?? 3000, this.o.probeSec * 1000)) {
      if (this.offer!.manifest.kind === 'firmware') this.n.otaMarkValid();
      else this.st.set('appTrial', 0);
      return this.finish('accepted', '');
    }
    if (elapsed >= this.o.probeSec * 1000) {
      this.rollback(!this.client.connected ? 'probation: MQTT not connected' : `probation: free heap ${free} below ${this.o.heapMin}`);
    }
  }

  private rollback(reason: string): void {
    const kind = this.offer!.manifest.kind;
    // Saved now, published by the previous image once it runs again: a "rolled-back" status from the image being
    // rolled back would name the wrong running slot, and a power cut before the restart rolls back anyway.
    this.finish('rolled-back', reason, false);
    if (kind === 'firmware') {
      this.step(() => {
        this.n.otaRollback();
        // Returns only when there is no usable firmware to go back to (esp_ota_mark_app_invalid_rollback_and_reboot
        // fails): this image, verified but unhealthy, is all there is. Keep it rather than leave it to be aborted
        // by the bootloader with nothing behind it, and say so.
        this.n.otaMarkValid();
        this.finish('rejected', `${reason}; no firmware to roll back to, kept ${this.n.otaRunning().label}`);
      }, 200);
    } else {
      this.st.set('appRolled', reason);
      this.st.set('appSlot', this.st.get('appPrev') as string);
      this.st.set('appTrial', 0);
      this.step(() => this.n.restart(), 200);
    }
  }

  // --- bookkeeping -----------------------------------------------------------------------------------

  private poll(): void {
    if (this.phase === 'download') {
      this.request();
      this.publishStatus(false);
    } else if (this.probing) this.probeCheck();
  }

  private step(fn: () => void, ms = 1): void {
    if (this.stepTimer) this.n.timerStop(this.stepTimer);
    this.stepTimer = this.n.timerStart(ms, false, () => {
      this.stepTimer = 0;
      fn();
    });
  }

  private enter(phase: Phase): void {
    this.phase = phase;
    this.save();
  }

  private save(): void {
    if (!this.offer || this.phase === null) return;
    this.st.set('otaProg', `${this.phase},${this.offer.manifest.session},${this.done},${this.doneCrc},${this.probeBoots},${this.label}`);
  }

  private halt(): void {
    if (this.stepTimer) this.n.timerStop(this.stepTimer);
    this.stepTimer = 0;
    this.phase = null;
    this.win = null;
  }

  private fail(reason: string): void {
    this.finish('rejected', reason);
  }

  /** Ends the update: final status saved and published, progress cleared. */
  private finish(state: OtaState, reason: string, publish = true): void {
    const m = this.offer!.manifest;
    if (state === 'accepted') this.st.set(SEQ_KEY[m.kind], m.version);
    this.halt();
    this.probing = false;
    this.state = state;
    this.reason = reason;
    if (publish) this.publishStatus(true);
    this.st.set('otaLast', this.statusJson());
    this.st.erase('otaProg');
    this.st.erase('otaOffer');
  }

  private drop(reason: string): void {
    this.st.erase('otaProg');
    this.st.erase('otaOffer');
    this.offer = null;
    this.setState('rejected', reason);
  }

  private refuse(session: number, reason: string, thenCurrent = false): void {
    this.client.publish(this.t.status, JSON.stringify({ state: 'rejected', session, reason, running: this.running(), mem: { peak: this.stats.peakOutstandingBytes, held: this.stats.heldBytes } }), { qos: 1, retain: !thenCurrent });
    if (thenCurrent) this.publishStatus(true);
  }

  private setState(state: OtaState, reason: string): void {
    this.state = state;
    this.reason = reason;
    this.publishStatus(true);
  }

  private publishStatus(force: boolean): void {
    const now = this.n.millis();
    if (!force && now - this.lastStatusAt < 500) return;
    this.lastStatusAt = now;
    // With nothing in progress since boot, the last final status stays the word on this device, with what runs
    // now: it was saved before a rollback restart, by the image that is no longer running.
    const json = !this.offer && this.lastFinal ? this.lastFinalNow() : this.statusJson();
    this.client.publish(this.t.status, json, { qos: 1, retain: true });
  }

  private lastFinalNow(): string {
    let j: { [k: string]: unknown };
    try {
      j = JSON.parse(this.lastFinal);
    } catch (e) {
      return this.statusJson();
    }
    j.running = this.running();
    j.mem = { peak: this.stats.peakOutstandingBytes, held: this.stats.heldBytes };
    return JSON.stringify(j);
  }

  private republishLast(): void {
    this.lastFinal = this.st.get('otaLast') as string;
    this.publishStatus(true);
  }

  private statusJson(): string {
    const m = this.offer?.manifest;
    return JSON.stringify({
      state: this.state,
      kind: m ? m.kind : '',
      version: m ? m.version : 0,
      session: m ? m.session : 0,
      done: this.win ? this.win.receivedCount : this.state === 'accepted' || this.state === 'pending-verify' || this.state === 'verifying' ? (m ? Math.ceil(m.size / m.chunk) : 0) : 0,
      total: m ? Math.ceil(m.size / m.chunk) : 0,
      reason: this.reason,
      running: this.running(),
      mem: { peak: this.stats.peakOutstandingBytes, held: this.stats.heldBytes },
    });
  }

  private running(): { fw: string; app: string; model: string; seq: number[] } {
    return {
      fw: this.n.otaRunning().label,
      app: this.n.info().appSlot,
      model: this.st.get('modelSlot') as string,
      seq: [this.st.get('otaSeqFw') as number, this.st.get('otaSeqApp') as number, this.st.get('otaSeqModel') as number],
    };
  }

  private slotFor(kind: OtaKind): string {
    if (kind === 'firmware') return this.n.otaNextSlot().label;
    if (kind === 'app') return this.n.info().appSlot === 'app_a' ? 'app_b' : 'app_a';
    return this.st.get('modelSlot') === 'model_a' ? 'model_b' : 'model_a';
  }

  private verifySignature(offer: Offer): boolean {
    const key = this.st.get('otaPubKey') as ArrayBuffer | null;
    if (!key) return false;
    const ctx = this.n.sha256Begin();
    this.n.sha256Update(ctx, toBuffer(offer.manifestBytes));
    return this.n.ecdsaP256Verify(key, this.n.sha256Finish(ctx), toBuffer(offer.signature));
  }

  /** The offer arrives in a message buffer the client may reuse: keep our own copy (at most 1.1 KB). */
  private copyOffer(o: Offer): Offer {
    return { manifestBytes: copy(o.manifestBytes), signature: copy(o.signature), manifest: o.manifest };
  }

  private offerBytes(): ArrayBuffer {
    const o = this.offer!;
    const m = o.manifestBytes.length;
    const out = new Uint8Array(6 + m + o.signature.length);
    out.set([0x4a, 0x57, 0x4f, 0x46, m & 0xff, m >>> 8]);
    out.set(o.manifestBytes, 6);
    out.set(o.signature, 6 + m);
    return out.buffer;
  }
}

function toBuffer(v: Uint8Array): ArrayBuffer {
  return copy(v).buffer as ArrayBuffer;
}

/** A copy in a buffer of its own (`slice` of a Node Buffer is a view, so it is not used). */
function copy(v: Uint8Array): Uint8Array {
  const c = new Uint8Array(v.length);
  c.set(v);
  return c;
}
