/**
 * `jerrywatt build`: the device bundle (dist/device/app.js + .map) and the app image (dist/device/app.img).
 * Fails on anything JerryScript 3.0 lacks (esbuild.config.mjs) and on an image larger than the app slot.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import * as esbuild from 'esbuild';
import { deviceBuildOptions, findEngineGaps } from '../esbuild.config.mjs';
import { partition, readPartitions } from '../host/partitions.ts';
import { CONTRACT_VERSION } from '../bindings/contract.ts';
import { packAppImage } from './app-image.ts';
import { EngineBuildError } from './firmware/engine.ts';
import { makeStaticSnapshot, SnapshotError, type StaticSnapshot } from './snapshot.ts';
import { lowerArrows } from './lower-arrows.ts';
import { refuseExecutableFunctions, rewriteForStaticSnapshot, StaticLiteralError } from './static-literals.ts';

export interface BuildOptions {
  root: string;
  appVersion: number;
  outDir?: string;
  /** Largest app image, bytes (default: the smaller app slot of partitions.csv, APP_IMAGE_BUDGET_BYTES). */
  budgetBytes?: number;
  /** Entry point relative to root (tests build small fixtures). */
  entry?: string;
  /** Write a source image even when a snapshot generator is available. */
  source?: boolean;
}

export interface BuildResult {
  bundlePath: string;
  imagePath: string;
  bundleBytes: number;
  imageBytes: number;
  payloadKind: 'source' | 'snapshot';
  /** Magic strings the static snapshot carries (snapshot images only). */
  literals?: number;
}

export class BuildError extends Error {}

/**
 * The budget is the image against the app slot it is written to (app_a/app_b), not the source size: a static
 * snapshot runs in place from flash, so neither source nor byte code lands in the JS heap; the heap is measured on
 * the engine (test/engine/heap-budget.test.ts). A source image (no snapshot generator) is held to the same slot.
 */
export function appImageBudgetBytes(): number {
  const parts = readPartitions();
  return Math.min(partition(parts, 'app_a').size, partition(parts, 'app_b').size);
}

export async function buildDevice(opts: BuildOptions): Promise<BuildResult> {
  const outDir = opts.outDir ?? join(opts.root, 'dist/device');
  const bundlePath = join(outDir, 'app.js');
  const budget = opts.budgetBytes ?? appImageBudgetBytes();
  let result: esbuild.BuildResult;
  try {
    result = await esbuild.build({
      ...deviceBuildOptions,
      absWorkingDir: opts.root,
      entryPoints: [opts.entry ?? deviceBuildOptions.entryPoints[0]],
      outfile: bundlePath,
      define: { __APP_VERSION__: String(opts.appVersion) },
    } as esbuild.BuildOptions);
  } catch (err) {
    const errors = (err as esbuild.BuildFailure).errors ?? [];
    const lines = errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text));
    throw new BuildError(`device build failed:\n  ${lines.map((l) => l.replace(opts.root + '/', '')).join('\n  ') || String(err)}`);
  }
  void result;
  let code = await readFile(bundlePath, 'utf8');
  // What a static snapshot refuses is rewritten in the final text (build/static-literals.ts); both boards run it.
  try {
    const lowered = lowerArrows(code, await readFile(`${bundlePath}.map`, 'utf8'));
    refuseExecutableFunctions(lowered.code);
    const r = rewriteForStaticSnapshot(lowered.code, lowered.map);
    code = r.code;
    await writeFile(bundlePath, code);
    await writeFile(`${bundlePath}.map`, r.map!);
  } catch (err) {
    if (err instanceof StaticLiteralError) throw new BuildError(`device bundle: ${err.message}`);
    throw err;
  }
  // Dependencies are not scanned at load time; the bundle is, for globals the engine lacks.
  const gaps = findEngineGaps(code.replace(/\/\/# sourceMappingURL=.*$/m, ''), relative(opts.root, bundlePath));
  if (gaps.length) throw new BuildError(`device bundle uses what the engine lacks:\n  ${gaps.join('\n  ')}`);
  const bundleBytes = Buffer.byteLength(code);
  let snapshot: StaticSnapshot | null;
  try {
    snapshot = opts.source ? null : await makeStaticSnapshot(bundlePath);
  } catch (err) {
    if (err instanceof SnapshotError || err instanceof EngineBuildError) throw new BuildError(err.message);
    throw err;
  }
  const payloadKind = snapshot ? 'snapshot' : 'source';
  const image = packAppImage(snapshot?.payload ?? Buffer.from(code), { contractVersion: CONTRACT_VERSION, appVersion: opts.appVersion, payloadKind });
  if (image.length > budget) throw new BuildError(`app image (${payloadKind}) is ${image.length} bytes, over the ${budget}-byte budget (the app slot)`);
  const imagePath = join(outDir, 'app.img');
  await mkdir(dirname(imagePath), { recursive: true });
  await writeFile(imagePath, image);
  return { bundlePath, imagePath, bundleBytes, imageBytes: image.length, payloadKind, literals: snapshot?.literals.length };
}
