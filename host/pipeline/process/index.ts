/** `jerrywatt process`: raw telemetry and waveforms into feature tables (Dataset). */
export { WAVEFORM_FEATURES, THD_DEFINITION, waveformFeatures, thdOrders } from './features.ts';
export { loadWaveformDataset, parseWaveform, readSidecar } from './waveform.ts';
export type { WaveformLoadOptions, WaveformInfo } from './waveform.ts';
export { processModbusCsv, decodeRaw, parseTs, validateRegisterMap, DEFAULT_REGISTER_MAP, QUANTITIES } from './modbus.ts';
export type { ModbusOptions, ProcessedRow, RegisterMap, RegisterSpec, Quantity } from './modbus.ts';
export { writeProcessedCsv, loadProcessedDataset, PROCESSED_COLUMNS } from './processed.ts';
export type { ProcessedLoadOptions } from './processed.ts';
export { writeFeaturesCsv } from './features-csv.ts';
export { resolveLimits, describeLimits } from './limits.ts';
export type { LimitOptions } from './limits.ts';
export { MalformedRowError } from './rows.ts';
export type { SkipReport } from './rows.ts';
