/**
 * Writing secret files: created with mode 0600 from the first byte (never written world-readable and chmod-ed
 * afterwards), replaced atomically through a 0600 temp file in the same directory.
 */
import { chmodSync, mkdirSync, openSync, closeSync, writeSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Every file this module wrote in this process, for the test that checks their modes. */
export const writtenFiles: Array<{ path: string; secret: boolean }> = [];

export function ensureDir(dir: string, secret = false): void {
  mkdirSync(dir, { recursive: true, mode: secret ? 0o700 : 0o755 });
  if (secret) chmodSync(dir, 0o700);
}

export function writeSecretFile(path: string, data: string | Uint8Array): void {
  ensureDir(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  chmodSync(tmp, 0o600); // a umask cannot widen it, but be explicit
  renameSync(tmp, path);
  writtenFiles.push({ path, secret: true });
}

export function writePublicFile(path: string, data: string | Uint8Array): void {
  ensureDir(dirname(path));
  writeFileSync(path, data, { mode: 0o644 });
  chmodSync(path, 0o644);
  writtenFiles.push({ path, secret: false });
}
