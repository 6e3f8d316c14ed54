/** `export`: model.json -> model.bin (device), model.h (C) and model.device.json, refusing what the slot cannot hold. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ForestModel } from '../forest/model.ts';
import { nodeCount } from '../forest/model.ts';
import { packModel, type PackOptions } from './pack.ts';
import { readModelBin, type BinModel } from './reader.ts';
import { modelHeader } from './cheader.ts';
import { modelSlot } from './slot.ts';

export interface ExportOptions extends PackOptions {
  outDir: string;
  partitionsCsv: string;
  slotName?: string;
}

export interface ExportResult {
  files: { bin: string; header: string; json: string };
  bytes: number;
  slotBytes: number;
  slotName: string;
  bytesPerNode: number;
  treeNodes: number;
  internalNodes: number;
  uniqueLeaves: number;
  quantize: 'float32' | 'int16';
  bin: BinModel;
}

export class ModelTooLargeError extends Error {}

export async function exportModel(model: ForestModel, opts: ExportOptions): Promise<ExportResult> {
  const slot = modelSlot(opts.partitionsCsv, opts.slotName);
  const packed = packModel(model, opts);
  if (packed.bytes.length > slot.size) {
    const { internal, leaves } = nodeCount(model);
    throw new ModelTooLargeError(
      `model.bin would be ${packed.bytes.length} bytes, more than the ${slot.size}-byte ${slot.name} slot (${internal} nodes + ${leaves} leaves in ${model.trees.length} trees): ` +
        'fit with fewer --trees, a smaller --max-depth or a larger --min-leaf, or --quantize int16',
    );
  }
  const bin = readModelBin(packed.bytes);
  await mkdir(opts.outDir, { recursive: true });
  const files = { bin: join(opts.outDir, 'model.bin'), header: join(opts.outDir, 'model.h'), json: join(opts.outDir, 'model.device.json') };
  await writeFile(files.bin, packed.bytes);
  await writeFile(files.header, modelHeader(bin));
  const { header, ...rest } = bin;
  await writeFile(files.json, JSON.stringify({ format: 'jerrywatt-model-bin', header, ...rest }) + '\n');
  return {
    files,
    bytes: packed.bytes.length,
    slotBytes: slot.size,
    slotName: slot.name,
    bytesPerNode: packed.bytesPerNode,
    treeNodes: packed.treeNodes,
    internalNodes: bin.header.nNodes,
    uniqueLeaves: bin.header.nLeaves,
    quantize: opts.quantize ?? 'float32',
    bin,
  };
}
