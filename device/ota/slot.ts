/**
 * Reading back the slot an update is written to. App and model slots are data partitions: `partMap` maps them in
 * place, no copy. Firmware slots (ota_0/ota_1) are app partitions, which `partMap` refuses on the device
 * (native/esp/part.c keeps the few MMU pages for the data slots): they are read with `partRead`, at most READ_STEP
 * bytes at a time, so a read holds one transient chunk-sized buffer, within the receiver's memory bound
 * (docs/ota-protocol.md, Flow control).
 */
import type { Native } from '../../bindings/native.js';
import { crc32 } from '../lib/crc32.ts';

/** The most one firmware-slot read takes (the largest chunk). */
export const READ_STEP = 4096;

/** [off, off + len) of the slot: mapped, or read (then len <= READ_STEP). */
function piece(n: Native, label: string, mapped: boolean, off: number, len: number): ArrayBuffer {
  return mapped ? n.partMap(label, off, len) : n.partRead(label, off, len);
}

/** CRC-32 of [from, to) of the slot, continuing `crc` (0 to start). */
export function slotCrc(n: Native, label: string, mapped: boolean, from: number, to: number, crc: number): number {
  const step = mapped ? to - from : READ_STEP;
  for (let at = from; at < to; at += step) crc = crc32(new Uint8Array(piece(n, label, mapped, at, Math.min(step, to - at))), crc);
  return crc;
}

/** Feeds [from, to) of the slot to the SHA-256 context `ctx`. */
export function slotHash(n: Native, label: string, mapped: boolean, ctx: number, from: number, to: number): void {
  const step = mapped ? to - from : READ_STEP;
  for (let at = from; at < to; at += step) n.sha256Update(ctx, piece(n, label, mapped, at, Math.min(step, to - at)));
}
