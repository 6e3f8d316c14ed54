/**
 * JerryScript snapshot of the bundle, when the user's JerryScript checkout provides `jerry-snapshot`.
 * Placeholder: the firmware issue fills this in. Returns null when no snapshot tool is available, and the
 * image then carries the source.
 */
export async function makeSnapshot(_bundlePath: string): Promise<Uint8Array | null> {
  return null;
}
