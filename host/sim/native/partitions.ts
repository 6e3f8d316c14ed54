import type { Native, PartitionInfo } from '../../../bindings/native.js';
import { PartitionView } from '../flash.ts';
import { SECTOR_BYTES } from '../../partitions.ts';
import { checkType, type BoardContext } from './context.ts';

export function partitionView(ctx: BoardContext, label: string, fn: string): PartitionView {
  const e = ctx.partitions.get(label);
  checkType(e !== undefined, fn, `no partition "${label}"`);
  return new PartitionView(ctx.flash, e!);
}

export function partitionInfo(ctx: BoardContext, label: string): PartitionInfo | undefined {
  const e = ctx.partitions.get(label);
  return e ? { label: e.name, size: e.size, eraseSize: SECTOR_BYTES, address: e.offset } : undefined;
}

/** The most one partRead moves (bindings/b_part.c PART_IO_MAX). */
const PART_IO_MAX = 64 * 1024;

const bytesOf = (ctx: BoardContext, data: unknown, fn: string): Uint8Array => {
  checkType(data instanceof ctx.sandbox.ArrayBuffer || data instanceof ArrayBuffer, fn, 'data must be an ArrayBuffer');
  return new Uint8Array(data as ArrayBuffer);
};

export function partitionsNative(ctx: BoardContext): Pick<Native, 'partInfo' | 'partRead' | 'partErase' | 'partWrite' | 'partMap'> {
  return {
    partInfo: (label) => {
      const info = partitionInfo(ctx, label);
      return info ? Object.assign(ctx.sandbox.run('({})', 'partInfo') as object, info) : undefined;
    },
    partRead: (label, offset, length) => {
      // bindings/b_part.c: one call never moves more than 64 KB through the JS heap.
      if (typeof length === 'number' && length > PART_IO_MAX) throw new RangeError('native.partRead: length over 64 KB');
      return ctx.sandbox.buffer(partitionView(ctx, label, 'partRead').read(offset, length));
    },
    partErase: (label, offset, length) => partitionView(ctx, label, 'partErase').erase(offset, length),
    partWrite: (label, offset, data) => partitionView(ctx, label, 'partWrite').write(offset, bytesOf(ctx, data, 'partWrite')),
    // Memory-mapped flash on the device; a copy here. It is read-only by contract either way.
    partMap: (label, offset, length) => {
      const view = partitionView(ctx, label, 'partMap');
      // The device maps data partitions only (native/esp/part.c: the MMU has few pages); firmware slots are app
      // partitions, read with partRead. Refused here too, so a test catches any code that maps one.
      checkType(view.entry.type !== 'app', 'partMap', `"${label}" is an app partition: partMap is for data partitions (read firmware slots with partRead)`);
      return ctx.sandbox.buffer(view.read(offset, length));
    },
  };
}
