/**
 * Defaults sized for the 192 KB model slot (partitions.csv): 40 trees of depth <= 12 come to about 55 KB on
 * 8,000 training windows and 125 KB on 40,000 (float32 thresholds, 9 bytes a node); `export` refuses more.
 * Kept free of imports so that the CLI can show them in --help without loading the trainer.
 */
export const DEVICE_DEFAULTS = { trees: 40, maxDepth: 12, minLeaf: 3 } as const;

/**
 * Synthetic windows `train` generates by default, over 16 conditions (50/60 Hz x 4 rates, 20-50 dB): enough
 * that the device forest matches scikit-learn's macro-F1 in every cell (10,000 left the hardest cell, 1000 Hz at
 * 20-30 dB, 0.01-0.02 behind); about 30 s end to end on 2 cores (`npm run bench -- conditions` times it).
 */
export const TRAIN_WINDOWS = 20000;
