/**
 * The one syntax of device, group and meter ids, used by the device (settings at boot), the CLI and
 * provisioning. An id is a single MQTT topic level that can never act as a wildcard, a separator or an option:
 * 1..32 ASCII letters, digits, `-` and `_`, starting with a letter or a digit.
 * Pure and engine-safe: char-code checks, no RegExp literals (the device image is a JerryScript snapshot).
 */

export type IdKind = 'device' | 'group' | 'meter';

export const ID_MAX_LENGTH = 32;
/** A topic prefix is 1..4 id-syntax levels joined by `/`, at most this long. */
export const PREFIX_MAX_LENGTH = 64;
/** `all` is the fleet topic (`<prefix>/all/led/set`); a device of that name would receive every fleet command twice. */
export const RESERVED_DEVICE_IDS: readonly string[] = ['all'];

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isIdChar = (c: number): boolean => isAlnum(c) || c === 45 /* - */ || c === 95 /* _ */;

/** Printable and bounded: a rejected value is quoted in errors without its control characters or its length. */
function quote(value: string): string {
  let s = '';
  const n = value.length < 40 ? value.length : 40;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 32 && c < 127 && c !== 34 && c !== 92) s += value.charAt(i);
    else s += '\\u' + ('000' + c.toString(16)).slice(-4);
  }
  return '"' + s + (value.length > n ? '..."' : '"');
}

/** Why `value` is not a valid id of this kind, or null when it is. */
export function idError(kind: IdKind, value: unknown): string | null {
  if (typeof value !== 'string') return `${kind} id must be a string`;
  if (value.length === 0) return `${kind} id is empty`;
  if (value.indexOf('+') >= 0 || value.indexOf('#') >= 0) return `${kind} id ${quote(value)} contains an MQTT wildcard ("+" or "#")`;
  if (value.length > ID_MAX_LENGTH) return `${kind} id ${quote(value)} is longer than ${ID_MAX_LENGTH} characters`;
  if (!isAlnum(value.charCodeAt(0))) return `${kind} id ${quote(value)} must start with a letter or a digit`;
  for (let i = 1; i < value.length; i++) {
    if (!isIdChar(value.charCodeAt(i))) return `${kind} id ${quote(value)} may contain only letters, digits, "-" and "_" (found ${quote(value.charAt(i))})`;
  }
  if (kind === 'device' && RESERVED_DEVICE_IDS.indexOf(value) >= 0) return `device id ${quote(value)} is reserved for the fleet topic`;
  return null;
}

export function isValidId(kind: IdKind, value: unknown): value is string {
  return idError(kind, value) === null;
}

/** Why `value` is not a valid topic prefix (`esp`, `site-1/esp`), or null when it is. */
export function prefixError(value: unknown): string | null {
  if (typeof value !== 'string') return 'topic prefix must be a string';
  if (value.length === 0) return 'topic prefix is empty';
  if (value.length > PREFIX_MAX_LENGTH) return `topic prefix ${quote(value)} is longer than ${PREFIX_MAX_LENGTH} characters`;
  const levels = value.split('/');
  if (levels.length > 4) return `topic prefix ${quote(value)} has more than 4 levels`;
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    let ok = l.length > 0 && l.length <= ID_MAX_LENGTH && isAlnum(l.charCodeAt(0));
    for (let j = 1; ok && j < l.length; j++) ok = isIdChar(l.charCodeAt(j));
    if (!ok) return `topic prefix ${quote(value)}: each level must be 1..${ID_MAX_LENGTH} letters, digits, "-" or "_", starting with a letter or a digit`;
  }
  return null;
}

/** Splits a comma-separated id list (`meters`, `--expect`): the valid ids, and an error for each invalid one. */
export function parseIdList(kind: IdKind, list: string): { ids: string[]; errors: string[] } {
  const ids: string[] = [];
  const errors: string[] = [];
  const parts = list.split(',');
  for (let i = 0; i < parts.length; i++) {
    const id = parts[i]!.trim();
    if (id.length === 0) continue;
    const e = idError(kind, id);
    if (e) errors.push(e);
    else if (ids.indexOf(id) < 0) ids.push(id);
  }
  return { ids, errors };
}
