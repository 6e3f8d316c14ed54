/**
 * The ESP-IDF release at IDF_PATH, put to the project's own configure-time gate (build/idf/idf_version.cmake)
 * before anything is built: an unsupported release is named in a second, not after the bundle build.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** major.minor.patch from ESP-IDF's tools/cmake/version.cmake, or null when it cannot be read. */
export function readIdfVersion(idfPath: string): [number, number, number] | null {
  let text: string;
  try {
    text = readFileSync(join(idfPath, 'tools', 'cmake', 'version.cmake'), 'utf8');
  } catch {
    return null;
  }
  const part = (n: string) => new RegExp(`set\\(IDF_VERSION_${n}\\s+(\\d+)\\)`).exec(text)?.[1];
  const v = [part('MAJOR'), part('MINOR'), part('PATCH')];
  return v.every((x) => x !== undefined) ? (v.map(Number) as [number, number, number]) : null;
}

/** The gate's message when the release is refused; null when it passes or cannot be asked (the build asks again). */
export function idfVersionProblem(root: string, idfPath: string): string | null {
  const v = readIdfVersion(idfPath);
  if (!v) return null;
  const r = spawnSync('cmake', [`-DIDF_VERSION_MAJOR=${v[0]}`, `-DIDF_VERSION_MINOR=${v[1]}`, `-DIDF_VERSION_PATCH=${v[2]}`, '-P', join(root, 'build', 'idf', 'idf_version.cmake')], { encoding: 'utf8' });
  if (r.error || r.status === 0) return null;
  const m = /(jerrywatt: [\s\S]*?)\n\s*\n/.exec(`${r.stderr}\n\n`);
  return (m?.[1] ?? r.stderr).replace(/\s+/g, ' ').trim();
}
