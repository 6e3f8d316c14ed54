/** `jerrywatt synth`: synthetic power-quality telemetry. */
export { PQ_CLASSES, PQ_COMBINATIONS, classOrder, parseClasses } from './classes.ts';
export { synthesizeWindows, resolveSettings, MIN_SAMPLING_RATE } from './generate.ts';
export type { SynthOptions, SynthWindow, SynthSettings } from './generate.ts';
export { writeSynthCsv, sidecarPathFor, formatWaveform, SYNTH_COLUMNS } from './csv.ts';
export type { SynthSidecar } from './csv.ts';
