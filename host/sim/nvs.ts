/**
 * NVS-style key/value store for the simulated board, with the limits that bite on hardware: keys of at most
 * 15 characters, strings of at most 4000 bytes, blobs of at most 508000 bytes, and the partition's capacity
 * (32-byte entries, 126 to a 4 KB page, one page kept free for garbage collection). Persisted as JSON.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export type NvsValue = { t: 'str'; v: string } | { t: 'i32'; v: number } | { t: 'blob'; v: string /* base64 */ };

export const NVS_KEY_MAX = 15;
export const NVS_STR_MAX = 4000;
export const NVS_BLOB_MAX = 508000;

export class NvsStore {
  private data: Record<string, NvsValue> = {};
  readonly capacityEntries: number;

  constructor(
    readonly path: string | null,
    partitionBytes: number,
  ) {
    this.capacityEntries = Math.max(0, Math.floor(partitionBytes / 4096) - 1) * 126;
    if (path && existsSync(path)) this.data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, NvsValue>;
  }

  get(key: string): NvsValue | undefined {
    return this.data[key];
  }

  /** Returns an error string, or null when stored. */
  set(key: string, value: NvsValue): string | null {
    if (key.length === 0 || key.length > NVS_KEY_MAX) return `key "${key}" must be 1..${NVS_KEY_MAX} characters`;
    if (value.t === 'str' && Buffer.byteLength(value.v) + 1 > NVS_STR_MAX) return `string for "${key}" is over ${NVS_STR_MAX} bytes`;
    if (value.t === 'blob' && Buffer.from(value.v, 'base64').length > NVS_BLOB_MAX) return `blob for "${key}" is over ${NVS_BLOB_MAX} bytes`;
    if (value.t === 'i32' && (!Number.isInteger(value.v) || value.v < -0x80000000 || value.v > 0x7fffffff)) return `"${key}" is not a 32-bit integer`;
    const next = { ...this.data, [key]: value };
    if (this.entriesUsed(next) > this.capacityEntries) return `NVS partition full storing "${key}"`;
    this.data = next;
    this.persist();
    return null;
  }

  erase(key: string): void {
    if (!(key in this.data)) return;
    delete this.data[key];
    this.persist();
  }

  keys(): string[] {
    return Object.keys(this.data);
  }

  private entriesUsed(data: Record<string, NvsValue>): number {
    let n = 0;
    for (const v of Object.values(data)) {
      if (v.t === 'i32') n += 1;
      else {
        const len = v.t === 'str' ? Buffer.byteLength(v.v) + 1 : Buffer.from(v.v, 'base64').length;
        n += 1 + Math.ceil(len / 32);
      }
    }
    return n;
  }

  private persist(): void {
    if (!this.path) return;
    // Write-then-rename: a stop mid-write never leaves half a file (NVS is atomic per entry too).
    writeFileSync(this.path + '.tmp', JSON.stringify(this.data));
    renameSync(this.path + '.tmp', this.path);
  }
}
