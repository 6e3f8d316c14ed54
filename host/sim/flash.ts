/**
 * NOR flash for the simulated board, persisted in one file: erase sets 4 KB sectors to 0xFF, a write can only
 * clear bits. Writing over unerased data is reported (on hardware it silently corrupts the data) and counted.
 * Every change reaches the file before the call returns, so stopping the board anywhere is a clean power cut.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { FLASH_BYTES, SECTOR_BYTES, type Partition } from '../partitions.ts';

export class FlashError extends Error {}

export class NorFlash {
  readonly bytes: Buffer;
  /** Writes that tried to set a 0 bit back to 1. */
  violations = 0;
  private fd: number | null;

  constructor(
    readonly path: string | null,
    readonly size = FLASH_BYTES,
    private readonly report: (msg: string) => void = () => {},
  ) {
    this.bytes = Buffer.alloc(size, 0xff);
    this.fd = null;
    if (path) {
      const fresh = !existsSync(path);
      this.fd = openSync(path, fresh ? 'w+' : 'r+');
      if (fresh || fstatSync(this.fd).size !== size) writeSync(this.fd, this.bytes, 0, size, 0);
      else readSync(this.fd, this.bytes, 0, size, 0);
    }
  }

  read(offset: number, length: number): Buffer {
    this.check(offset, length);
    return Buffer.from(this.bytes.subarray(offset, offset + length));
  }

  erase(offset: number, length: number): void {
    this.check(offset, length);
    if (offset % SECTOR_BYTES || length % SECTOR_BYTES) throw new FlashError(`erase of ${length} bytes at 0x${offset.toString(16)} is not 4 KB aligned`);
    this.bytes.fill(0xff, offset, offset + length);
    this.persist(offset, length);
  }

  write(offset: number, data: Uint8Array): void {
    this.check(offset, data.length);
    let bad = -1;
    for (let i = 0; i < data.length; i++) {
      const old = this.bytes[offset + i]!;
      const v = data[i]!;
      if ((old & v) !== v && bad < 0) bad = offset + i;
      this.bytes[offset + i] = old & v;
    }
    if (bad >= 0) {
      this.violations++;
      this.report(`flash write over unerased data at 0x${bad.toString(16)}: bits cannot be set back to 1 without an erase (data corrupted)`);
    }
    this.persist(offset, data.length);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private check(offset: number, length: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.size)
      throw new FlashError(`flash access of ${length} bytes at ${offset} is out of range`);
  }

  private persist(offset: number, length: number): void {
    if (this.fd !== null) writeSync(this.fd, this.bytes, offset, length, offset);
  }
}

/** A partition's window onto the flash: offsets are relative to the partition and checked against its size. */
export class PartitionView {
  constructor(
    readonly flash: NorFlash,
    readonly entry: Partition,
  ) {}

  private at(offset: number, length: number): number {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.entry.size)
      throw new FlashError(`${this.entry.name}: access of ${length} bytes at ${offset} is outside the ${this.entry.size}-byte partition`);
    return this.entry.offset + offset;
  }

  read(offset: number, length: number): Buffer {
    return this.flash.read(this.at(offset, length), length);
  }
  erase(offset: number, length: number): void {
    this.flash.erase(this.at(offset, length), length);
  }
  write(offset: number, data: Uint8Array): void {
    this.flash.write(this.at(offset, data.length), data);
  }
}
