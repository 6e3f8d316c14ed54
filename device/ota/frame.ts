/**
 * Binary OTA messages (docs/ota-protocol.md): data frames (publisher -> device) and chunk requests (device ->
 * publisher). Pure: no I/O, no allocation when parsing a frame. Both sides import this file.
 */
import { crc32 } from '../lib/crc32.ts';

export const FRAME_MAGIC = 0xd7;
export const REQUEST_MAGIC = 0xa7;
export const OTA_FORMAT = 1;
export const FRAME_HEADER_BYTES = 16;
export const MAX_RANGES = 16;
export const REQUEST_MAX_BYTES = 8 + 6 * MAX_RANGES;

export interface FrameHeader {
  session: number;
  index: number;
  length: number;
  crc: number;
}

/**
 * Reads a frame header into `out` (reused by the caller, so nothing is allocated). Returns null when the frame is
 * well formed (length matches, CRC of the payload matches), else why not.
 */
export function readFrame(buf: Uint8Array, out: FrameHeader): string | null {
  if (buf.length < FRAME_HEADER_BYTES) return 'short frame';
  if (buf[0] !== FRAME_MAGIC) return 'bad frame magic';
  if (buf[1] !== OTA_FORMAT) return 'bad frame format';
  out.length = buf[2]! | (buf[3]! << 8);
  out.session = u32(buf, 4);
  out.index = u32(buf, 8);
  out.crc = u32(buf, 12);
  if (buf.length !== FRAME_HEADER_BYTES + out.length) return 'frame length mismatch';
  if (crc32(buf.subarray(FRAME_HEADER_BYTES)) !== out.crc) return 'frame CRC mismatch';
  return null;
}

export function encodeFrame(session: number, index: number, payload: Uint8Array): Uint8Array {
  if (payload.length > 0xffff) throw new RangeError('frame payload larger than 65535 bytes');
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  out[0] = FRAME_MAGIC;
  out[1] = OTA_FORMAT;
  out[2] = payload.length & 0xff;
  out[3] = payload.length >>> 8;
  put32(out, 4, session);
  put32(out, 8, index);
  put32(out, 12, crc32(payload));
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/** Ranges of chunk indices, as [first, count] pairs. */
export type Ranges = Array<[number, number]>;

/** Writes a request into `out` (at least REQUEST_MAX_BYTES) and returns its length. */
export function writeRequest(out: Uint8Array, session: number, ranges: Ranges): number {
  const n = ranges.length;
  if (n < 1 || n > MAX_RANGES) throw new RangeError('a request has 1..16 ranges');
  out[0] = REQUEST_MAGIC;
  out[1] = OTA_FORMAT;
  out[2] = n;
  out[3] = 0;
  put32(out, 4, session);
  let o = 8;
  for (let i = 0; i < n; i++) {
    const r = ranges[i]!;
    put32(out, o, r[0]);
    out[o + 4] = r[1] & 0xff;
    out[o + 5] = (r[1] >>> 8) & 0xff;
    o += 6;
  }
  return o;
}

export interface Request {
  session: number;
  ranges: Ranges;
}

/** Parses a request (publisher side). Returns the reason when malformed. */
export function readRequest(buf: Uint8Array): Request | string {
  if (buf.length < 8) return 'short request';
  if (buf[0] !== REQUEST_MAGIC || buf[1] !== OTA_FORMAT) return 'bad request magic';
  const n = buf[2]!;
  if (n < 1 || n > MAX_RANGES || buf.length !== 8 + 6 * n) return 'bad request length';
  const ranges: Ranges = [];
  for (let i = 0; i < n; i++) {
    const o = 8 + 6 * i;
    ranges.push([u32(buf, o), buf[o + 4]! | (buf[o + 5]! << 8)]);
  }
  return { session: u32(buf, 4), ranges };
}

export function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}
