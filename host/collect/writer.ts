/**
 * Writes readings into rotating sets of CSV files. Every row goes to the OS with a synchronous write before
 * the caller returns, so by the time the MQTT client acknowledges a message (after its handler ran) the row
 * is out of our process: a crash cannot lose an acknowledged reading, and Ctrl-C has no buffer to lose.
 * Only the registers of the register map get a file of their own: a peer sending any of 65,536 registers must
 * not make us open a file per register (file descriptors run out). Every reading still goes to the
 * all-messages file. Write errors (disk full) are thrown to the caller, which stops collecting.
 */
import * as fs from 'node:fs';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGE_COLUMNS, countsCsv, csvLine, fileNames, fileStamp, messageRow } from './csv-format.ts';
import type { Reading } from './reading.ts';
import { shouldRotate, type RotationPolicy } from './rotation.ts';

const HEADER = Buffer.from(csvLine(MESSAGE_COLUMNS));

interface Segment {
  stamp: string;
  openedAt: number;
  bytes: number;
  allFd: number;
  registerFds: Map<number, number>;
  counts: Map<string, Map<number, number>>;
  countKeys: number;
  rows: number;
}

/** The register map's registers (the device default map: current, active power, voltage, frequency, THD). */
export const DEFAULT_FILE_REGISTERS: readonly number[] = [1006, 1007, 1009, 1010, 1011];

/** Distinct (meter, register) pairs counted per set of files. */
export const MAX_COUNT_KEYS = 10_000;

/** The file calls the writer makes (tests inject failures such as a full disk). */
export interface WriterIo {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, data: Uint8Array): number;
  closeSync(fd: number): void;
  writeFileSync(path: string, data: string): void;
}

const nodeIo: WriterIo = {
  openSync: (p, f) => fs.openSync(p, f),
  writeSync: (fd, d) => fs.writeSync(fd, d),
  closeSync: (fd) => fs.closeSync(fd),
  writeFileSync: (p, d) => fs.writeFileSync(p, d),
};

export class CsvWriter {
  private seg: Segment | null = null;
  /** Every file this writer created, in order. */
  readonly files: string[] = [];
  private readonly fileRegisters: ReadonlySet<number>;

  constructor(
    readonly dir: string,
    private readonly policy: RotationPolicy,
    private readonly now: () => number = Date.now,
    /** Registers that get a file of their own; others only go to the all-messages file. */
    fileRegisters: Iterable<number> = DEFAULT_FILE_REGISTERS,
    private readonly io: WriterIo = nodeIo,
  ) {
    mkdirSync(dir, { recursive: true });
    this.fileRegisters = new Set(fileRegisters);
  }

  /** True when the register has a file of its own (it is in the register map). */
  hasFile(register: number): boolean {
    return this.fileRegisters.has(register);
  }

  /** Throws on a write error (the row may then be missing from a file: the caller must not acknowledge it). */
  write(r: Reading, topic: string): void {
    const t = this.now();
    if (this.seg && shouldRotate(this.seg, t, this.policy)) this.closeSegment();
    const seg = this.seg ?? (this.seg = this.openSegment(t));
    const line = Buffer.from(messageRow(r, topic, t));
    this.io.writeSync(seg.allFd, line);
    seg.bytes += line.length;
    if (this.fileRegisters.has(r.register)) {
      let fd = seg.registerFds.get(r.register);
      if (fd === undefined) {
        fd = this.create(fileNames.register(r.register, seg.stamp));
        seg.registerFds.set(r.register, fd);
      }
      this.io.writeSync(fd, line);
    }
    let regs = seg.counts.get(r.meter);
    // Meters and registers come from peers: past MAX_COUNT_KEYS (meter, register) pairs per set, new pairs are
    // not counted (their rows are written), so the counts cannot grow without bound.
    if (!regs && seg.countKeys < MAX_COUNT_KEYS) seg.counts.set(r.meter, (regs = new Map()));
    const n = regs?.get(r.register);
    if (n !== undefined) regs!.set(r.register, n + 1);
    else if (regs && seg.countKeys < MAX_COUNT_KEYS) {
      regs.set(r.register, 1);
      seg.countKeys++;
    }
    seg.rows++;
  }

  /** Rotate if the policy says so even when no message arrives (called from a timer). */
  tick(): void {
    if (this.seg && shouldRotate(this.seg, this.now(), this.policy)) this.closeSegment();
  }

  /** Close the current files and write their register counts. Idempotent; throws the first error after closing all. */
  close(): void {
    this.closeSegment();
  }

  private create(name: string): number {
    const path = join(this.dir, name);
    const fd = this.io.openSync(path, 'wx'); // never append to or clobber an existing file
    this.io.writeSync(fd, HEADER);
    this.files.push(path);
    return fd;
  }

  private openSegment(t: number): Segment {
    // Two sets opened in one second (a fast rotation, a restart) get _2, _3... rather than overwriting.
    const base = fileStamp(t);
    let stamp = base;
    for (let n = 2; existsSync(join(this.dir, fileNames.all(stamp))) || existsSync(join(this.dir, fileNames.counts(stamp))); n++) stamp = `${base}_${n}`;
    const allFd = this.create(fileNames.all(stamp));
    return { stamp, openedAt: t, bytes: HEADER.length, allFd, registerFds: new Map(), counts: new Map(), countKeys: 0, rows: 0 };
  }

  private closeSegment(): void {
    const seg = this.seg;
    if (!seg) return;
    this.seg = null;
    // Close every descriptor even when one close fails (a full disk can fail the flush), then report.
    let first: unknown = null;
    for (const fd of [seg.allFd, ...seg.registerFds.values()]) {
      try {
        this.io.closeSync(fd);
      } catch (err) {
        first ??= err;
      }
    }
    const path = join(this.dir, fileNames.counts(seg.stamp));
    try {
      this.io.writeFileSync(path, countsCsv(seg.counts));
      this.files.push(path);
    } catch (err) {
      first ??= err;
    }
    if (first) throw first;
  }
}
