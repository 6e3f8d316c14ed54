/** When to start a new set of CSV files. Pure: the writer asks, with its own clock. */
export interface RotationPolicy {
  /** Rotate once the all-messages file reaches this many bytes (0 = never by size). */
  maxBytes: number;
  /** Rotate once the current files are this old, ms (0 = never by time). */
  maxAgeMs: number;
}

export interface SegmentState {
  bytes: number;
  openedAt: number;
}

export function shouldRotate(seg: SegmentState, now: number, policy: RotationPolicy): boolean {
  if (policy.maxBytes > 0 && seg.bytes >= policy.maxBytes) return true;
  if (policy.maxAgeMs > 0 && now - seg.openedAt >= policy.maxAgeMs) return true;
  return false;
}
