/**
 * Password hashes in mosquitto's own `password_file` format (mosquitto_passwd 2.x: `user:$7$iterations$salt$hash`,
 * PBKDF2-HMAC-SHA512, base64), so one file serves mosquitto and the embedded broker alike.
 */
import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const ITERATIONS = 101; // mosquitto_passwd's default; the passwords are 128-bit random, not words
const SALT_BYTES = 12;
const HASH_BYTES = 64;

export function hashPassword(password: string, salt: Buffer = randomBytes(SALT_BYTES), iterations = ITERATIONS): string {
  const hash = pbkdf2Sync(password, salt, iterations, HASH_BYTES, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 5 || parts[1] !== '7') return false;
  const iterations = Number(parts[2]);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 1_000_000) return false;
  const expected = Buffer.from(parts[4]!, 'base64');
  if (expected.length === 0) return false;
  const got = pbkdf2Sync(password, Buffer.from(parts[3]!, 'base64'), iterations, expected.length, 'sha512');
  return timingSafeEqual(got, expected);
}

/** A new random password: 24 base64url characters (144 bits). */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

export function parsePasswordFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const i = l.indexOf(':');
    if (i > 0) out.set(l.slice(0, i), l.slice(i + 1));
  }
  return out;
}

export function formatPasswordFile(entries: Map<string, string>): string {
  return [...entries].map(([u, h]) => `${u}:${h}\n`).join('');
}
