/**
 * After the restart into a new firmware or app image: what the boot says about the pending update, and the
 * probation that accepts the image or rolls it back (docs/ota-protocol.md, phase 5). Owns the probation's clock and
 * its restart count; the decisions are probation-rules.ts's.
 */
import type { Native } from '../../bindings/native.js';
import type { OtaKind } from './manifest.ts';
import { bootVerdict, probeVerdict, switched, type BootVerdict, type ProbeLimits, type ProbeVerdict } from './probation-rules.ts';
import type { OtaStore } from './store.ts';
import type { Stepper } from './stepper.ts';

export class Probation {
  /** Restarts seen during this probation (saved in `otaProg`; one is a failure). */
  boots = 0;
  /** The probation runs (checked on every poll). */
  running = false;
  private startedAt = 0;

  constructor(
    private readonly n: Native,
    private readonly st: OtaStore,
    private readonly stepper: Stepper,
    private readonly limits: ProbeLimits,
  ) {}

  /** What runs now says about the update of `kind` into `label`, pending since before the restart. */
  verdict(kind: OtaKind, label: string): BootVerdict {
    return bootVerdict(this.facts(kind, label));
  }

  /** After a restart during an install (saved state 'verify'): did the boot switch already happen? */
  switched(kind: OtaKind, label: string): boolean {
    return switched(this.facts(kind, label));
  }

  /** A new update (0), or the restarts saved before this boot. */
  reset(boots: number): void {
    this.boots = boots;
    this.running = false;
  }

  start(): void {
    this.boots = 1;
    this.startedAt = this.n.millis();
    this.running = true;
  }

  /** Board time (millis) by which the probation decides. */
  get deadline(): number {
    return this.startedAt + this.limits.probeSec * 1000;
  }

  check(connected: boolean): ProbeVerdict {
    const heap = this.n.heapStats();
    return probeVerdict(this.n.millis() - this.startedAt, connected, heap.jsSize - heap.jsUsed, this.limits);
  }

  /** The image passed: keep it. */
  confirm(kind: OtaKind): void {
    this.running = false;
    if (kind === 'firmware') this.n.otaMarkValid();
    else this.st.set('appTrial', 0);
  }

  /**
   * Goes back to the previous image: for an app, the loader state now and a restart; for firmware, otaRollback
   * (which restarts), and `kept(reason)` when it returns (no usable firmware to go back to).
   */
  rollback(kind: OtaKind, reason: string, kept: () => void): void {
    this.running = false;
    if (kind === 'firmware') {
      this.stepper.run(() => {
        this.n.otaRollback();
        // Returns only when there is no usable firmware to go back to: this image, verified but unhealthy, is all
        // there is. Keep it rather than leave it to be aborted by the bootloader with nothing behind it.
        this.n.otaMarkValid();
        kept();
      }, 200);
    } else {
      this.st.set('appRolled', reason);
      this.st.set('appSlot', this.st.get('appPrev') as string);
      this.st.set('appTrial', 0);
      this.stepper.run(() => this.n.restart(), 200);
    }
  }

  private facts(kind: OtaKind, label: string) {
    const fw = kind === 'firmware' ? this.n.otaRunning() : null;
    const trial = kind === 'app' ? (this.st.get('appTrial') as number) : -1;
    return {
      kind,
      label,
      running: fw ? fw.label : kind === 'app' ? this.n.info().appSlot : '',
      confirmed: fw ? fw.state === 'valid' : trial === 0,
      onTrial: fw ? fw.state === 'pending-verify' : trial === 2,
      rolledWhy: kind === 'app' ? (this.st.get('appRolled') as string) : '',
      probeBoots: this.boots,
    };
  }
}
