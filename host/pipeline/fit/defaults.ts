/**
 * Defaults sized for the 192 KB model slot (partitions.csv): 40 trees of depth <= 12 come to about 55 KB on
 * 8,000 training windows and 125 KB on 40,000 (float32 thresholds, 9 bytes a node); `export` refuses more.
 * Kept free of imports so that the CLI can show them in --help without loading the trainer.
 */
export const DEVICE_DEFAULTS = { trees: 40, maxDepth: 12, minLeaf: 3 } as const;

/** Synthetic windows `train` generates by default: well under a minute end to end on 2 cores. */
export const TRAIN_WINDOWS = 10000;
