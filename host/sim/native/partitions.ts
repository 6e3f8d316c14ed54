import type { Native, PartitionInfo } from '../../../bindings/native.js';
import { PartitionView } from '../flash.ts';
import { SECTOR_BYTES } from '../../partitions.ts';
import { NATIVE_LIMITS } from '../../../bindings/contract.ts';
import { checkRange, checkType, fail, type BoardContext } from './context.ts';
import { FlashError } from '../flash.ts';

export function partitionView(ctx: BoardContext, label: string, fn: string): PartitionView {
  checkType(typeof label === 'string', fn, 'label must be a string');
  const e = ctx.partitions.get(label);
  checkType(e !== undefined, fn, `no partition "${label}"`);
  return new PartitionView(ctx.flash, e!);
}

/** Flash access out of the partition (or unaligned) is a RangeError with ERANGE, as in bindings/b_part.c. */
function flashOp<T>(fn: string, op: () => T): T {
  try {
    return op();
  } catch (err) {
    if (err instanceof FlashError) fail('ERANGE', fn, err.message);
    throw err;
  }
}

const rangeArgs = (fn: string, offset: unknown, length: unknown) => {
  checkType(typeof offset === 'number' && typeof length === 'number', fn, '(label, offset: number, length: number)');
  checkRange(Number.isInteger(offset) && Number.isInteger(length) && (offset as number) >= 0 && (length as number) >= 0, fn, 'offset and length must be non-negative integers');
};

export function partitionInfo(ctx: BoardContext, label: string): PartitionInfo | undefined {
  const e = ctx.partitions.get(label);
  return e ? { label: e.name, size: e.size, eraseSize: SECTOR_BYTES, address: e.offset } : undefined;
}

/** The most one partRead moves (bindings/b_part.c PART_IO_MAX). */
const PART_IO_MAX = NATIVE_LIMITS.partIoBytes;

const bytesOf = (ctx: BoardContext, data: unknown, fn: string): Uint8Array => {
  checkType(data instanceof ctx.sandbox.ArrayBuffer || data instanceof ArrayBuffer, fn, 'data must be an ArrayBuffer');
  return new Uint8Array(data as ArrayBuffer);
};

export function partitionsNative(ctx: BoardContext): Pick<Native, 'partInfo' | 'partRead' | 'partErase' | 'partWrite' | 'partMap'> {
  return {
    partInfo: (label) => {
      checkType(typeof label === 'string', 'partInfo', 'label must be a string');
      const info = partitionInfo(ctx, label);
      return info ? Object.assign(ctx.sandbox.run('({})', 'partInfo') as object, info) : undefined;
    },
    partRead: (label, offset, length) => {
      // bindings/b_part.c: one call never moves more than 64 KB through the JS heap.
      const view = partitionView(ctx, label, 'partRead');
      rangeArgs('partRead', offset, length);
      checkRange(length <= PART_IO_MAX, 'partRead', 'length over 64 KB');
      return ctx.sandbox.buffer(flashOp('partRead', () => view.read(offset, length)));
    },
    partErase: (label, offset, length) => {
      const view = partitionView(ctx, label, 'partErase');
      rangeArgs('partErase', offset, length);
      flashOp('partErase', () => view.erase(offset, length));
    },
    partWrite: (label, offset, data) => {
      const view = partitionView(ctx, label, 'partWrite');
      rangeArgs('partWrite', offset, 0);
      const bytes = bytesOf(ctx, data, 'partWrite');
      flashOp('partWrite', () => view.write(offset, bytes));
    },
    // Memory-mapped flash on the device; a copy here. It is read-only by contract either way.
    partMap: (label, offset, length) => {
      const view = partitionView(ctx, label, 'partMap');
      rangeArgs('partMap', offset, length);
      // The device maps data partitions only (native/esp/part.c: the MMU has few pages); firmware slots are app
      // partitions, read with partRead. Refused here too, so a test catches any code that maps one.
      checkRange(view.entry.type !== 'app', 'partMap', `"${label}" is an app partition: partMap is for data partitions (read firmware slots with partRead)`);
      checkRange(length > 0, 'partMap', 'length must be > 0');
      return ctx.sandbox.buffer(flashOp('partMap', () => view.read(offset, length)));
    },
  };
}
