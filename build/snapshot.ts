/**
 * The app as a JerryScript 3.0 STATIC snapshot, which the engine runs in place from read-only mapped flash: no
 * byte code, function headers or literals are copied into the JS heap. The engine's workflow
 * (jerry-main/main-snapshot.c): `generate` (regular) -> `litdump --format list` -> `generate --static
 * --load-literals-list-format`. Every string literal becomes a magic string; the list travels in the image and the
 * firmware registers it at boot (bindings/vm.c) before any string exists.
 *
 * The generator comes from the host engine build of build/engine-config.json (build/firmware/engine.ts); it must
 * have exactly the device engine's options, or every magic-string id shifts. The heap size is the one exception
 * (the generator needs more to parse the bundle, and it changes nothing in the output).
 *
 * Payload of an app image of kind "snapshot" (docs/app-image.md):
 *   off size
 *     0    4 magic "JWSS"
 *     4    4 snapshot size S (a multiple of 8; the snapshot starts 8-aligned: image header 128 + 16)
 *     8    4 literal count N
 *    12    4 offset T of the literal table from the payload start (4-aligned)
 *    16    S the static snapshot
 *     T  4*N lengths (u32 LE), then the N strings back to back, in the engine's order (size, then bytes)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureHostEngine, GENERATOR_HEAP_KB, jerryscriptPathFromEnv } from './firmware/engine.ts';

const run = promisify(execFile);

export const STATIC_PAYLOAD_MAGIC = 'JWSS';
export const STATIC_PAYLOAD_HEADER = 16;

/** The generator: JERRY_SNAPSHOT names one; else, with JERRYSCRIPT_PATH, the cached host build (built on demand). */
export function findSnapshotTool(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.JERRY_SNAPSHOT) return existsSync(env.JERRY_SNAPSHOT) ? env.JERRY_SNAPSHOT : null;
  const jp = jerryscriptPathFromEnv(env);
  if (!jp) return null;
  return ensureHostEngine(jp, GENERATOR_HEAP_KB).snapshotTool;
}

export class SnapshotError extends Error {}

async function tool(bin: string, args: string[], what: string): Promise<void> {
  try {
    await run(bin, args);
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new SnapshotError(`jerry-snapshot ${what} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
  }
}

/** Parses litdump's list format: "<byte length> <bytes>\n" per literal. */
export function parseLiteralList(buf: Uint8Array): Buffer[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Buffer[] = [];
  let at = 0;
  while (at < b.length) {
    const sp = b.indexOf(0x20, at);
    if (sp < 0) break;
    const n = Number(b.toString('ascii', at, sp));
    if (!Number.isInteger(n) || n <= 0 || sp + 1 + n > b.length) throw new SnapshotError(`bad literal list entry at byte ${at}`);
    out.push(b.subarray(sp + 1, sp + 1 + n));
    at = sp + 1 + n + 1; // the newline
  }
  return out;
}

/** The order jerry_register_magic_strings requires (jerry-snapshot.c jerry_save_literals_compare). */
export function literalsInEngineOrder(list: Buffer[]): boolean {
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1]!;
    const b = list[i]!;
    if (a.length > b.length || (a.length === b.length && Buffer.compare(a, b) >= 0)) return false;
  }
  return true;
}

// --- line info: JerryScript 3.0 leaves every static function's line-info pointer aimed into the generator's heap
// (static_snapshot_add_compiled_code does not clear it, as the regular path does). Reading it (Error().stack) reads
// stale memory. We clear the flag and move the function's extended-info bytes (argument length of functions with
// default parameters) into the freed slot, so `f.length` stays right (the regular path forgets that: its bug).
const FLAG_UINT16_ARGS = 1 << 1;
const FLAG_MAPPED_ARGS = 1 << 3;
const FLAG_EXTENDED_INFO = 1 << 5;
const FLAG_TAGGED = 1 << 6;
const FLAG_LINE_INFO = 1 << 7;
const FLAG_STATIC = 1 << 8;
const TYPE_CONSTRUCTOR = 2;
const EXT_ARGUMENT_LENGTH = 1 << 0;
const EXT_SOURCE_RANGE = 1 << 1;

export function stripStaticLineInfo(snap: Buffer): number {
  const litTable = snap.readUInt32LE(12);
  const nFuncs = snap.readUInt32LE(16);
  let off = (20 + 4 * nFuncs + 7) & ~7;
  let stripped = 0;
  while (off < litTable && off < snap.length) {
    const size = snap.readUInt16LE(off) << 3;
    const flags = snap.readUInt16LE(off + 4);
    if (size === 0 || !(flags & FLAG_STATIC)) throw new SnapshotError(`unexpected static snapshot layout at ${off}`);
    if (flags & FLAG_LINE_INFO) {
      const end = off + size;
      const argEnd = flags & FLAG_UINT16_ARGS ? snap.readUInt16LE(off + 12) : snap.readUInt8(off + 7);
      let base = end - (flags & FLAG_MAPPED_ARGS ? 4 * argEnd : 0);
      if (flags >> 12 !== TYPE_CONSTRUCTOR) base -= 4;
      if (flags & FLAG_TAGGED) base -= 4;
      const lineSlot = base - 4;
      if (flags & FLAG_EXTENDED_INFO) {
        let p = lineSlot - 1;
        const ext = snap[p]!;
        const vlqs = (ext & EXT_ARGUMENT_LENGTH ? 1 : 0) + (ext & EXT_SOURCE_RANGE ? 2 : 0);
        for (let i = 0; i < vlqs; i++) do p--; while (snap[p]! & 0x80);
        snap.copy(snap, p + 4, p, lineSlot);
        snap.fill(0, p, p + 4);
      } else {
        snap.fill(0, lineSlot, lineSlot + 4);
      }
      snap.writeUInt16LE(flags & ~FLAG_LINE_INFO, off + 4);
      stripped++;
    }
    off += size;
  }
  return stripped;
}

export interface StaticSnapshot {
  payload: Buffer;
  snapshotBytes: number;
  literals: Buffer[];
  literalBytes: number;
}

export function packStaticPayload(snapshot: Buffer, literals: Buffer[]): Buffer {
  const snapLen = (snapshot.length + 7) & ~7;
  const table = STATIC_PAYLOAD_HEADER + snapLen;
  const head = Buffer.alloc(STATIC_PAYLOAD_HEADER);
  head.write(STATIC_PAYLOAD_MAGIC, 0, 'ascii');
  head.writeUInt32LE(snapLen, 4);
  head.writeUInt32LE(literals.length, 8);
  head.writeUInt32LE(table, 12);
  const lengths = Buffer.alloc(4 * literals.length);
  literals.forEach((l, i) => lengths.writeUInt32LE(l.length, 4 * i));
  return Buffer.concat([head, snapshot, Buffer.alloc(snapLen - snapshot.length), lengths, ...literals]);
}

/** generate -> litdump -> generate --static, then the line-info fix; null without a generator. */
export async function makeStaticSnapshot(bundlePath: string, env: NodeJS.ProcessEnv = process.env): Promise<StaticSnapshot | null> {
  const bin = findSnapshotTool(env);
  if (!bin) return null;
  const dir = await mkdtemp(join(tmpdir(), 'jw-snap-'));
  try {
    const regular = join(dir, 'regular.snapshot');
    const list = join(dir, 'literals.list');
    const out = join(dir, 'static.snapshot');
    await tool(bin, ['generate', '-o', regular, bundlePath], 'generate');
    await tool(bin, ['litdump', '--format', 'list', '-o', list, regular], 'litdump');
    await tool(bin, ['generate', '--static', '--load-literals-list-format', list, '-o', out, bundlePath], 'generate --static');
    const literals = parseLiteralList(await readFile(list));
    if (!literalsInEngineOrder(literals)) throw new SnapshotError('litdump did not list the literals in the engine\'s order');
    const snapshot = await readFile(out);
    stripStaticLineInfo(snapshot);
    const payload = packStaticPayload(snapshot, literals);
    return { payload, snapshotBytes: snapshot.length, literals, literalBytes: literals.reduce((n, l) => n + l.length, 0) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
