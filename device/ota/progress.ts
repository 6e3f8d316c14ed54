/**
 * The arithmetic of one transfer (pure: no native, no MQTT): which frames to take, where a chunk lives in the slot,
 * when the contiguous prefix is worth saving, and the saved progress record (`otaProg`). docs/ota-protocol.md,
 * Data frame, Flow control and Resume, is the spec.
 */
import { readFrame, FRAME_HEADER_BYTES, type FrameHeader } from './frame.ts';
import type { Manifest } from './manifest.ts';
import type { ChunkWindow } from './window.ts';
import type { Phase } from './types.ts';

/** Flash erase unit; saved progress and erases are aligned to it. */
export const SECTOR = 4096;

type Sizes = Pick<Manifest, 'size' | 'chunk'>;

export function chunkCount(m: Sizes): number {
  return Math.ceil(m.size / m.chunk);
}

/** Payload bytes of chunk `index` (the last one is short). */
export function chunkBytes(m: Sizes, index: number): number {
  return Math.min(m.chunk, m.size - index * m.chunk);
}

/** End of the erase: the image size rounded up to whole sectors. */
export function eraseEnd(m: Sizes): number {
  return Math.ceil(m.size / SECTOR) * SECTOR;
}

/** What the receiver holds for a transfer: one scratch chunk, the bitmap and the window table (index + time). */
export function heldBytes(chunk: number, win: ChunkWindow): number {
  return chunk + win.received.length + 12 * win.window;
}

/**
 * Judges a data frame of the current transfer, reading its header into `h` (reused: nothing is allocated).
 * 'drop': oversize (never copied), malformed, another session, out of range or the wrong length; 'dup': a chunk
 * already received; null: write it.
 */
export function judgeFrame(buf: Uint8Array, h: FrameHeader, m: Manifest, win: ChunkWindow): 'drop' | 'dup' | null {
  if (buf.length > FRAME_HEADER_BYTES + m.chunk) return 'drop';
  if (readFrame(buf, h) !== null || h.session !== m.session || h.index >= win.total) return 'drop';
  if (h.length !== chunkBytes(m, h.index)) return 'drop';
  return win.has(h.index) ? 'dup' : null;
}

/**
 * The new `done` (chunks saved as in flash) once the contiguous prefix crosses a sector boundary and at least a
 * window more has arrived since the last save (or the image is complete); -1 when it is not time to save.
 */
export function savePoint(win: ChunkWindow, done: number, chunk: number): number {
  const perSector = Math.max(1, SECTOR / chunk);
  const prefix = win.complete ? win.total : win.lowest - (win.lowest % perSector);
  if (prefix <= done || (prefix - done < win.window && !win.complete)) return -1;
  return prefix;
}

/** The sector that holds chunk `index` (its offset in the slot), and the chunks [first, last) stored in it. */
export function sectorOf(index: number, chunk: number, total: number): { sector: number; first: number; last: number } {
  const sector = Math.floor((index * chunk) / SECTOR) * SECTOR;
  return { sector, first: Math.floor(sector / chunk), last: Math.min(total, Math.ceil((sector + SECTOR) / chunk)) };
}

/** The saved progress of the update in progress; `done` chunks are in flash with CRC-32 `doneCrc`. */
export interface Progress {
  phase: Phase;
  session: number;
  done: number;
  doneCrc: number;
  /** Restarts seen during probation (one is a failure). */
  probeBoots: number;
  /** The slot being written. */
  label: string;
  /** Wall clock (ms since the epoch, 0 when not set) when the update started, and when it last made progress. */
  started: number;
  lastAt: number;
}

export function formatProgress(p: Progress): string {
  return `${p.phase},${p.session},${p.done},${p.doneCrc},${p.probeBoots},${p.label},${p.started},${p.lastAt}`;
}

/** Reads `otaProg`; null when it holds no update (empty, or too few fields). Bad numbers read as 0; a record of an
 * older receiver (6 fields) has no times (0). */
export function parseProgress(s: string): Progress | null {
  const f = s.split(',');
  if (f.length < 6) return null;
  return { phase: f[0] as Phase, session: Number(f[1]) >>> 0, done: Number(f[2]) || 0, doneCrc: Number(f[3]) >>> 0, probeBoots: Number(f[4]) || 0, label: f[5]!, started: Number(f[6]) || 0, lastAt: Number(f[7]) || 0 };
}
