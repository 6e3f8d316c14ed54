/** The model slot size, read from partitions.csv (model_a / model_b), so `export` refuses what cannot be flashed. */
import { partition, readPartitions } from '../partitions.ts';

export interface Slot {
  name: string;
  size: number;
}

export function modelSlot(partitionsCsv: string, name = 'model_a'): Slot {
  try {
    return { name, size: partition(readPartitions(partitionsCsv), name).size };
  } catch (err) {
    throw new Error(`${partitionsCsv}: ${(err as Error).message}`);
  }
}
