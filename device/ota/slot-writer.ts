/**
 * The slot an update is written to: erased in slices, each frame written at its offset and read back, and the
 * contiguous prefix saved (`done` chunks and their CRC-32 as read back from flash) at sector boundaries.
 * docs/ota-protocol.md, Flow control and Resume.
 */
import type { Native } from '../../bindings/native.js';
import type { Manifest } from './manifest.ts';
import type { ChunkWindow } from './window.ts';
import { chunkBytes, eraseEnd, savePoint, sectorOf, SECTOR } from './progress.ts';
import { slotCrc } from './slot.ts';
import type { Stepper } from './stepper.ts';

const ERASE_SECTORS_PER_STEP = 2;

export class SlotWriter {
  /** The slot being written ('' when none). */
  label = '';
  /** Chunks saved as in flash, and their CRC-32 (`otaProg`). */
  done = 0;
  doneCrc = 0;
  private m: Manifest | null = null;
  private scratch: ArrayBuffer | null = null;
  private scratchView: Uint8Array | null = null;
  private eraseAt = 0;

  constructor(
    private readonly n: Native,
    private readonly stepper: Stepper,
  ) {}

  /** Takes the slot for `m`, with `done` chunks already in flash (0 for a new update). */
  open(m: Manifest, label: string, done: number, doneCrc: number): void {
    this.m = m;
    this.label = label;
    this.done = done;
    this.doneCrc = doneCrc;
  }

  /** The same update under another session (a restarted publisher): the slot and progress stay. */
  adopt(m: Manifest): void {
    this.m = m;
  }

  /**
   * Whether the slot can be mapped: app and model slots are data partitions; firmware slots are app partitions,
   * which partMap refuses on the device, and are read with partRead (slot.ts).
   */
  get mapped(): boolean {
    return this.m !== null && this.m.kind !== 'firmware';
  }

  /** Re-checks what the saved progress claims is in flash (after a restart); a mismatch starts over from chunk 0. */
  recheck(): void {
    const m = this.m!;
    const bytes = Math.min(this.done * m.chunk, m.size);
    if (bytes > 0 && slotCrc(this.n, this.label, this.mapped, 0, bytes, 0) !== this.doneCrc) this.done = this.doneCrc = 0;
  }

  /** Erases [done*chunk, size) rounded to sectors, a few sectors per timer tick; then `then`. */
  erase(then: () => void): void {
    const m = this.m!;
    if (!this.scratch || this.scratch.byteLength !== m.chunk) {
      this.scratch = new ArrayBuffer(m.chunk);
      this.scratchView = new Uint8Array(this.scratch);
    }
    this.eraseAt = this.done * m.chunk;
    const end = eraseEnd(m);
    const step = (): void => {
      const len = Math.min(ERASE_SECTORS_PER_STEP * SECTOR, end - this.eraseAt);
      if (len <= 0) return then();
      this.n.partErase(this.label, this.eraseAt, len);
      this.eraseAt += len;
      this.stepper.run(step);
    };
    this.stepper.run(step);
  }

  /**
   * Writes chunk `index` (its payload is `payload`, whose CRC-32 is `crc`) and reads it back. Returns null when flash
   * holds it, else the chunks [first, last) of its sector, which was erased again (flash did not take the write:
   * written over bytes that were not erased) and must be fetched again.
   */
  write(index: number, payload: Uint8Array, crc: number): { first: number; last: number } | null {
    const m = this.m!;
    const off = index * m.chunk;
    const len = chunkBytes(m, index);
    // partWrite takes an ArrayBuffer: copy into the one scratch chunk instead of allocating per frame.
    const full = len === m.chunk;
    const data = full ? this.scratch! : new ArrayBuffer(len);
    (full ? this.scratchView! : new Uint8Array(data)).set(payload);
    this.n.partWrite(this.label, off, data);
    if (slotCrc(this.n, this.label, this.mapped, off, off + len, 0) === crc) return null;
    const s = sectorOf(index, m.chunk, Math.ceil(m.size / m.chunk));
    this.n.partErase(this.label, s.sector, SECTOR);
    // Those chunks are above `done`, since saved sectors are never rewritten.
    return s;
  }

  /** Moves `done` when savePoint says so; true when it moved (the caller saves the progress). */
  advance(win: ChunkWindow): boolean {
    const m = this.m!;
    const prefix = savePoint(win, this.done, m.chunk);
    if (prefix < 0) return false;
    this.doneCrc = slotCrc(this.n, this.label, this.mapped, this.done * m.chunk, Math.min(prefix * m.chunk, m.size), this.doneCrc);
    this.done = prefix;
    return true;
  }
}
