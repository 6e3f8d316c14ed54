/**
 * The transfer, after an offer passed its checks: erase in slices, windowed chunk requests, frames into flash with
 * a read-back check, saved progress at safe points, then the whole-image verification and the install (switch the
 * slot, or hand a model to its runtime). The I/O around progress.ts, window.ts, app-header.ts and model-header.ts.
 */
import { writeRequest, FRAME_HEADER_BYTES, REQUEST_MAX_BYTES, type FrameHeader } from './frame.ts';
import { hex } from './manifest.ts';
import { ChunkWindow } from './window.ts';
import { checkAppHeader, APP_HEADER_BYTES } from './app-header.ts';
import { checkModelHeader, MODEL_HEADER_BYTES } from './model-header.ts';
import { chunkBytes, chunkCount, eraseEnd, heldBytes, judgeFrame, savePoint, sectorOf, SECTOR } from './progress.ts';
import { slotCrc, slotHash } from './slot.ts';
import { OtaCore } from './core.ts';

const ERASE_SECTORS_PER_STEP = 2;
const HASH_BYTES_PER_STEP = 32768;

export class OtaTransfer extends OtaCore {
  private scratch: ArrayBuffer | null = null;
  private scratchView: Uint8Array | null = null;
  private eraseAt = 0;
  private eraseEnd = 0;
  private readonly hdr: FrameHeader = { session: 0, index: 0, length: 0, crc: 0 };
  private readonly reqBuf = new Uint8Array(REQUEST_MAX_BYTES);

  /** Starts (or resumes, from the saved `done`) the download: the window, the scratch chunk, then the erase. */
  protected begin(): void {
    const m = this.offer!.manifest;
    const win = (this.win = new ChunkWindow(chunkCount(m), Math.max(1, Math.min(64, this.o.window)), this.o.retryMs ?? 1500));
    win.markPrefix(this.done);
    if (!this.scratch || this.scratch.byteLength !== m.chunk) {
      this.scratch = new ArrayBuffer(m.chunk);
      this.scratchView = new Uint8Array(this.scratch);
    }
    const held = heldBytes(m.chunk, win);
    if (held > this.stats.heldBytes) this.stats.heldBytes = held;
    this.eraseAt = this.done * m.chunk;
    this.eraseEnd = eraseEnd(m);
    this.enter('erase');
    this.step(() => this.eraseStep());
  }

  /** A few sectors per timer tick, so the MQTT keepalive and the watchdog never starve. */
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

  /** Asks for what the window has room for (nothing while disconnected: a reconnect asks again). */
  protected request(): void {
    if (!this.win || this.phase !== 'download' || !this.client.connected) return;
    const ranges = this.win.next(this.n.millis());
    if (!ranges) return;
    const m = this.offer!.manifest;
    const n = writeRequest(this.reqBuf, m.session, ranges);
    this.stats.requests++;
    const out = this.win.inFlight * (FRAME_HEADER_BYTES + m.chunk);
    if (out > this.stats.peakOutstandingBytes) this.stats.peakOutstandingBytes = out;
    this.client.publish(this.t.req, this.reqBuf.subarray(0, n), { qos: 0 });
  }

  protected onFrame(buf: Uint8Array): void {
    const win = this.win;
    const m = this.offer?.manifest;
    if (!win || !m || this.phase !== 'download') return void this.stats.dropped++;
    const h = this.hdr;
    const verdict = judgeFrame(buf, h, m, win);
    if (verdict) return void (verdict === 'dup' ? this.stats.dups++ : this.stats.dropped++);
    this.stats.frames++;
    const off = h.index * m.chunk;
    const len = chunkBytes(m, h.index);
    // partWrite takes an ArrayBuffer: copy into the one scratch chunk instead of allocating per frame.
    const data = len === m.chunk ? this.scratch! : new ArrayBuffer(len);
    const view = len === m.chunk ? this.scratchView! : new Uint8Array(data);
    view.set(buf.subarray(FRAME_HEADER_BYTES));
    this.n.partWrite(this.label, off, data);
    if (slotCrc(this.n, this.label, this.mapped, off, off + len, 0) !== h.crc) {
      // Flash did not take it (written over non-erased bytes): erase that sector and fetch what lived there again.
      return this.rewind(h.index);
    }
    win.mark(h.index);
    this.advanceSaved();
    if (win.complete) return this.verify();
    this.request();
    this.publishStatus(false);
  }

  /** Saves `done` when savePoint says so, with the CRC-32 of the new bytes as read back from flash. */
  private advanceSaved(): void {
    const m = this.offer!.manifest;
    const prefix = savePoint(this.win!, this.done, m.chunk);
    if (prefix < 0) return;
    const from = this.done * m.chunk;
    const to = Math.min(prefix * m.chunk, m.size);
    this.doneCrc = slotCrc(this.n, this.label, this.mapped, from, to, this.doneCrc);
    this.done = prefix;
    this.save();
  }

  private rewind(index: number): void {
    const s = sectorOf(index, this.offer!.manifest.chunk, this.win!.total);
    this.n.partErase(this.label, s.sector, SECTOR);
    this.stats.dropped++;
    // Those chunks are above `done`, since saved sectors are never rewritten.
    this.win!.forget(s.first, s.last);
  }

  /**
   * SHA-256 of the whole image from flash, in slices (and of an app's payload beside it), then the kind's checks.
   * A firmware slot is read in 4 KB pieces (slot.ts), an app or model slot mapped.
   */
  protected verify(): void {
    const n = this.n;
    this.enter('verify');
    this.setState('verifying', '');
    const m = this.offer!.manifest;
    // In fields, not locals: whatever stops the update before the end finishes them (core.ts endHashes).
    this.endHashes();
    this.hashAll = n.sha256Begin();
    if (m.kind === 'app') this.hashPayload = n.sha256Begin();
    const mapped = this.mapped;
    let at = 0;
    const hashStep = (): void => {
      const len = Math.min(HASH_BYTES_PER_STEP, m.size - at);
      if (len > 0) {
        slotHash(n, this.label, mapped, this.hashAll, at, at + len);
        if (this.hashPayload && at + len > APP_HEADER_BYTES) slotHash(n, this.label, mapped, this.hashPayload, Math.max(at, APP_HEADER_BYTES), at + len);
        at += len;
        return this.step(hashStep);
      }
      const all = this.hashAll;
      const payload = this.hashPayload;
      this.hashAll = this.hashPayload = 0;
      const got = hex(new Uint8Array(n.sha256Finish(all)));
      const payloadSha = payload ? hex(new Uint8Array(n.sha256Finish(payload))) : '';
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
    // App and model slots are data partitions: their headers are read mapped.
    if (m.kind === 'app') {
      const info = this.n.info();
      const out = { payloadSha256: '' };
      const want = { contract: info.contractVersion, engineConfig: info.engineConfigHash, version: m.version, imageSize: m.size };
      const why = checkAppHeader(new Uint8Array(this.n.partMap(this.label, 0, Math.min(APP_HEADER_BYTES, m.size))), want, out);
      if (why) return why;
      return out.payloadSha256 === payloadSha ? null : 'app payload SHA-256 mismatch';
    }
    return checkModelHeader(new Uint8Array(this.n.partMap(this.label, 0, Math.min(MODEL_HEADER_BYTES, m.size))), m.version, m.size);
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
}
