import type { BuildOptions, Plugin } from 'esbuild';
export const ENGINE_LACKS: Array<[RegExp, string]>;
export const BUNDLE_BUDGET_BYTES: number;
export function stripMeanings(src: string): string;
export function findEngineGaps(text: string, file: string): string[];
export const engineGuard: Plugin;
export const deviceBuildOptions: BuildOptions & { entryPoints: string[]; outfile: string };
