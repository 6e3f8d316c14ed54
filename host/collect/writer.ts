/**
 * Writes readings into rotating sets of CSV files. Every row goes to the OS with a synchronous write before
 * the caller returns, so by the time the MQTT client acknowledges a message (after its handler ran) the row
 * is out of our process: a crash cannot lose an acknowledged reading, and Ctrl-C has no buffer to lose.
 */
import { closeSync, existsSync, mkdirSync, openSync, writeSync, writeFileSync } from 'node:fs';
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
  rows: number;
}

export class CsvWriter {
  private seg: Segment | null = null;
  /** Every file this writer created, in order. */
  readonly files: string[] = [];

  constructor(
    readonly dir: string,
    private readonly policy: RotationPolicy,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  write(r: Reading, topic: string): void {
    const t = this.now();
    if (this.seg && shouldRotate(this.seg, t, this.policy)) this.closeSegment();
    const seg = this.seg ?? (this.seg = this.openSegment(t));
    const line = Buffer.from(messageRow(r, topic, t));
    writeSync(seg.allFd, line);
    seg.bytes += line.length;
    let fd = seg.registerFds.get(r.register);
    if (fd === undefined) {
      fd = this.create(fileNames.register(r.register, seg.stamp));
      seg.registerFds.set(r.register, fd);
    }
    writeSync(fd, line);
    let regs = seg.counts.get(r.meter);
    if (!regs) seg.counts.set(r.meter, (regs = new Map()));
    regs.set(r.register, (regs.get(r.register) ?? 0) + 1);
    seg.rows++;
  }

  /** Rotate if the policy says so even when no message arrives (called from a timer). */
  tick(): void {
    if (this.seg && shouldRotate(this.seg, this.now(), this.policy)) this.closeSegment();
  }

  /** Close the current files and write their register counts. Idempotent. */
  close(): void {
    this.closeSegment();
  }

  private create(name: string): number {
    const path = join(this.dir, name);
    const fd = openSync(path, 'wx'); // never append to or clobber an existing file
    writeSync(fd, HEADER);
    this.files.push(path);
    return fd;
  }

  private openSegment(t: number): Segment {
    // Two sets opened in one second (a fast rotation, a restart) get _2, _3... rather than overwriting.
    const base = fileStamp(t);
    let stamp = base;
    for (let n = 2; existsSync(join(this.dir, fileNames.all(stamp))) || existsSync(join(this.dir, fileNames.counts(stamp))); n++) stamp = `${base}_${n}`;
    const allFd = this.create(fileNames.all(stamp));
    return { stamp, openedAt: t, bytes: HEADER.length, allFd, registerFds: new Map(), counts: new Map(), rows: 0 };
  }

  private closeSegment(): void {
    const seg = this.seg;
    if (!seg) return;
    this.seg = null;
    closeSync(seg.allFd);
    for (const fd of seg.registerFds.values()) closeSync(fd);
    const path = join(this.dir, fileNames.counts(seg.stamp));
    writeFileSync(path, countsCsv(seg.counts));
    this.files.push(path);
  }
}
