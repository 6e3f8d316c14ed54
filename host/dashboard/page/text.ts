/**
 * Peer text made safe to show: the device's own escaping (device/lib/printable.ts, bundled) plus a length bound.
 * The page only ever sets textContent, so this is about legibility and size, not markup.
 */
import { printable as escaped } from '../../../device/lib/printable.ts';

export function printable(s: string, max: number): string {
  const out = escaped(s.length > max * 4 ? s.slice(0, max * 4) : s);
  return out.length > max ? out.slice(0, max - 1) + '…' : out;
}
