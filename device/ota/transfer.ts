/**
 * The transfer window: which chunks are received and in flight (window.ts), the requests that ask for the missing
 * ones, and the judgement of each data frame. Owns the counters of the transfer (the status's `mem`).
 * docs/ota-protocol.md, Request and Flow control.
 */
import type { Native } from '../../bindings/native.js';
import { writeRequest, FRAME_HEADER_BYTES, REQUEST_MAX_BYTES, type FrameHeader } from './frame.ts';
import type { Manifest } from './manifest.ts';
import { ChunkWindow } from './window.ts';
import { chunkCount, heldBytes, judgeFrame } from './progress.ts';
import type { OtaClient, OtaStats } from './types.ts';

export class TransferWindow {
  /** null before a download and once it is complete. */
  win: ChunkWindow | null = null;
  /** The status's `mem` (per transfer). */
  readonly stats: OtaStats = { peakOutstandingBytes: 0, heldBytes: 0 };
  /** The header of the frame last judged (reused: nothing is allocated per frame). */
  readonly hdr: FrameHeader = { session: 0, index: 0, length: 0, crc: 0 };
  private readonly reqBuf = new Uint8Array(REQUEST_MAX_BYTES);

  constructor(
    private readonly n: Native,
    private readonly client: OtaClient,
    private readonly reqTopic: string,
    private readonly window: number,
    private readonly retryMs: number,
  ) {}

  /** A new transfer: `mem` starts again. */
  reset(): void {
    this.win = null;
    this.stats.peakOutstandingBytes = this.stats.heldBytes = 0;
  }

  /** Opens the window with chunks [0, done) already in flash. */
  open(m: Manifest, done: number): void {
    const win = (this.win = new ChunkWindow(chunkCount(m), Math.max(1, Math.min(64, this.window)), this.retryMs));
    win.markPrefix(done);
    const held = heldBytes(m.chunk, win);
    if (held > this.stats.heldBytes) this.stats.heldBytes = held;
  }

  close(): void {
    this.win = null;
  }

  /** Asks for what the window has room for (nothing while disconnected: a reconnect asks again). */
  request(m: Manifest): void {
    const win = this.win;
    if (!win || !this.client.connected) return;
    const ranges = win.next(this.n.millis());
    if (!ranges) return;
    const len = writeRequest(this.reqBuf, m.session, ranges);
    const out = win.inFlight * (FRAME_HEADER_BYTES + m.chunk);
    if (out > this.stats.peakOutstandingBytes) this.stats.peakOutstandingBytes = out;
    this.client.publish(this.reqTopic, this.reqBuf.subarray(0, len), { qos: 0 });
  }

  /** After a reconnect: whatever was in flight is asked for again. */
  lost(): void {
    if (this.win) this.win.clearFlight();
  }

  /** True when `buf` is a new chunk of `m` to write (its header is in `hdr`); false for a duplicate or a bad frame. */
  take(buf: Uint8Array, m: Manifest): boolean {
    return !!this.win && judgeFrame(buf, this.hdr, m, this.win) === null;
  }
}
