/** Id and prefix options, checked with the device's own syntax (device/ids.ts) before anything connects. */
import { idError, parseIdList, prefixError, type IdKind } from '../../device/ids.ts';
import { CliError } from './errors.ts';

/** Returns the id, or throws a usage error (exit 2) that names the option. */
export function requireId(kind: IdKind, value: string | undefined, option: string): string {
  const e = idError(kind, value);
  if (e) throw new CliError(`${option}: ${e}`, 2);
  return value!;
}

/** Like requireId, for an option that may be absent. */
export function optionalId(kind: IdKind, value: string | undefined, option: string): string | undefined {
  return value === undefined ? undefined : requireId(kind, value, option);
}

/** A comma-separated list of ids; every one must be valid and the list not empty. */
export function requireIdList(kind: IdKind, value: string, option: string): string[] {
  const { ids, errors } = parseIdList(kind, value);
  if (errors.length) throw new CliError(`${option}: ${errors[0]}`, 2);
  if (!ids.length) throw new CliError(`${option}: no ${kind} id given`, 2);
  return ids;
}

export function requirePrefix(value: string, option = '--prefix'): string {
  const e = prefixError(value);
  if (e) throw new CliError(`${option}: ${e}`, 2);
  return value;
}
