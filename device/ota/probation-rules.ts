/**
 * The probation's decisions (pure: the facts are read by probation.ts and passed in). docs/ota-protocol.md, phase 5:
 * after the restart into a new firmware or app image, the image must stay healthy (MQTT connected, heap above the
 * floor, no restart) for a settle time within a deadline; a failure rolls it back.
 */
import type { OtaKind } from './manifest.ts';

/** What the image that booted says about the update pending since before the restart. */
export interface BootFacts {
  kind: OtaKind;
  /** The slot the update was written to. */
  label: string;
  /** The slot running now (firmware slot for firmware, app slot for app). */
  running: string;
  /** Already confirmed: firmware marked valid, or the app loader's trial cleared (a cut after the pass). */
  confirmed: boolean;
  /** Booted on trial: firmware pending-verify, or the app loader's trial at its first boot (appTrial 2). */
  onTrial: boolean;
  /** Why the app loader rolled back, when it did ('' when it does not say). */
  rolledWhy: string;
  /** Restarts already seen during this probation. */
  probeBoots: number;
}

/** 'accepted' | 'probe' (start the probation) | a rollback to do | the rolled-back end with its reason. */
export type BootVerdict = 'accepted' | 'probe' | { rollback: string } | { rolledBack: string };

export function bootVerdict(f: BootFacts): BootVerdict {
  if (f.kind !== 'model') {
    if (f.running !== f.label) return { rolledBack: f.kind === 'firmware' ? `booted ${f.running}, not ${f.label}` : f.rolledWhy || `loader did not boot ${f.label}` };
    if (f.confirmed) return 'accepted';
  }
  return f.probeBoots >= 1 ? { rollback: 'restarted during probation' } : 'probe';
}

/** The probation's limits (OtaOptions): heap floor, deadline, and the settle time (3 s unless set). */
export interface ProbeLimits {
  heapMin: number;
  probeSec: number;
  settleMs?: number;
}

/** 'pass', 'wait', or why the probation failed (then it is rolled back). */
export type ProbeVerdict = 'pass' | 'wait' | `probation: ${string}`;

/**
 * `elapsed`: ms since the probation started; `free`: free JS heap in bytes, NaN when the runtime cannot measure it
 * (the simulated board), which does not fail the check.
 */
export function probeVerdict(elapsed: number, connected: boolean, free: number, l: ProbeLimits): ProbeVerdict {
  const deadline = l.probeSec * 1000;
  const healthy = connected && !(free < l.heapMin);
  // Healthy for the settle time passes; a deadline shorter than the settle time must not fail a healthy image.
  if (healthy && elapsed >= Math.min(l.settleMs ?? 3000, deadline)) return 'pass';
  if (elapsed < deadline) return 'wait';
  return !connected ? 'probation: MQTT not connected' : `probation: free heap ${free} below ${l.heapMin}`;
}

/** After a restart in the middle of an install (progress says 'verify'): did the boot switch already happen? */
export function switched(f: BootFacts): boolean {
  return f.kind !== 'model' && f.running === f.label && f.onTrial;
}
