/** partitions.csv for 4 MB flash: aligned, no overlaps, fits, and each slot holds what goes into it. */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_BUDGET_BYTES } from '../../esbuild.config.mjs';
import { APP_IMAGE_HEADER_BYTES } from '../../build/app-image.ts';
import { parsePartitions, partition, readPartitions, type Partition } from '../../host/partitions.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FLASH = 4 * 1024 * 1024;
/** A snapshot is about 2x the minified source (docs/firmware.md), plus the image header. */
const APP_IMAGE_BUDGET = 2 * BUNDLE_BUDGET_BYTES + APP_IMAGE_HEADER_BYTES;
/** 20k nodes of 8 bytes (e.g. 30 trees of depth 10, leaves de-duplicated) plus a 4 KB header. */
const MODEL_BUDGET = 20_000 * 8 + 4096;

export function layoutProblems(parts: Partition[]): string[] {
  const out: string[] = [];
  const sorted = [...parts].sort((a, b) => a.offset - b.offset);
  if (sorted[0] && sorted[0].offset < 0x9000) out.push(`${sorted[0].name} overlaps the bootloader or the partition table (< 0x9000)`);
  for (const p of sorted) {
    const align = p.type === 'app' ? 0x10000 : 0x1000;
    if (p.offset % align) out.push(`${p.name} offset 0x${p.offset.toString(16)} is not ${align / 1024} KB aligned`);
    if (p.size % 0x1000) out.push(`${p.name} size is not a multiple of 4 KB`);
    if (p.offset + p.size > FLASH) out.push(`${p.name} ends past 4 MB`);
  }
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!, b = sorted[i]!;
    if (a.offset + a.size > b.offset) out.push(`${a.name} overlaps ${b.name}`);
  }
  return out;
}

describe('partitions.csv (4 MB)', () => {
  const parts = readPartitions(join(ROOT, 'partitions.csv'));

  it('is aligned, has no overlaps and fits 4 MB', () => {
    assert.deepEqual(layoutProblems(parts), []);
  });

  it('the layout check catches overlap, misalignment and overflow', () => {
    const bad = parsePartitions('a, data, nvs, 0x9000, 0x5000,\nb, data, nvs, 0xd000, 0x1000,\nc, app, ota_0, 0x18000, 0x3f0000,');
    const problems = layoutProblems(bad);
    assert.ok(problems.some((p) => p.includes('a overlaps b')));
    assert.ok(problems.some((p) => p.includes('c offset')));
    assert.ok(problems.some((p) => p.includes('c ends past 4 MB')));
  });

  it('has every partition the firmware expects', () => {
    for (const n of ['nvs', 'otadata', 'phy_init', 'ota_0', 'ota_1', 'app_a', 'app_b', 'model_a', 'model_b', 'settings']) partition(parts, n);
    assert.equal(partition(parts, 'settings').subtype, 'nvs');
    assert.equal(partition(parts, 'nvs').subtype, 'nvs');
    assert.ok(partition(parts, 'settings').size >= 0x3000, 'NVS needs at least 3 pages');
  });

  it('each slot is larger than what goes into it', () => {
    // ota_0/ota_1 against the firmware image: test/firmware/idf-check.test.ts (measured objects + ESP-IDF baseline).
    assert.equal(partition(parts, 'ota_0').size, partition(parts, 'ota_1').size, 'both firmware slots take the same image');
    for (const n of ['app_a', 'app_b']) assert.ok(partition(parts, n).size > APP_IMAGE_BUDGET, `${n} < app image budget`);
    for (const n of ['model_a', 'model_b']) assert.ok(partition(parts, n).size > MODEL_BUDGET, `${n} < model budget`);
    const img = join(ROOT, 'dist/device/app.img');
    if (existsSync(img)) assert.ok(statSync(img).size < partition(parts, 'app_a').size, 'the built app image does not fit app_a');
  });
});
