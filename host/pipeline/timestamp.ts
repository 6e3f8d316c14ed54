/**
 * One reading of a telemetry time (`ts`, or collect's `Time`) as epoch milliseconds, shared by `process`
 * (host/pipeline/process/modbus.ts) and `train --features meter` / `retrain` (host/pipeline/meter/csv.ts) so the
 * two read the same collected CSV the same way.
 *
 * Which inputs are seconds: none. A number is always epoch MILLISECONDS: the meter-gateway flow publishes ms,
 * `jerrywatt collect` writes the payload's ts verbatim (ms) and the device's assembler compares ts as ms. (An
 * earlier guess that numbers below 1e11 are seconds misread relative millisecond clocks by a factor of 1000.)
 * Text that is not a number is ISO 8601 (collect's `Time` column); without a zone it is UTC, so results do not
 * depend on the machine's zone; a space may stand for the `T`.
 */
import { parseNumberText } from '../../device/meter/reading.ts';

/** Epoch ms, or NaN when empty, negative or unreadable. Numbers are read as the device reads them. */
export function parseTimestampMs(text: string | undefined): number {
  if (text === undefined) return NaN;
  const t = text.trim();
  if (t === '') return NaN;
  const n = parseNumberText(t);
  if (n === n) return n >= 0 ? n : NaN; // the device refuses a negative ts too
  let iso = t;
  if (/^\d{4}-\d\d-\d\d \d/.test(iso)) iso = iso.replace(' ', 'T');
  if (/^\d{4}-\d\d-\d\dT[\d:.]+$/.test(iso)) iso += 'Z';
  return Date.parse(iso);
}
