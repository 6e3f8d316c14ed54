/**
 * After a restart: resume the update that was in progress (re-check what flash holds, then download the rest or
 * verify), or run the probation of the image just booted and accept it or roll it back. The I/O around
 * probation-rules.ts.
 */
import { parseOffer } from './manifest.ts';
import { chunkCount, parseProgress } from './progress.ts';
import { bootVerdict, probeVerdict, switched, type BootFacts } from './probation-rules.ts';
import { slotCrc } from './slot.ts';
import { OtaTransfer } from './transfer.ts';

export class OtaProbation extends OtaTransfer {
  private probeStart = 0;

  /** On start: picks up the saved update, or republishes the last final status when there is none. */
  protected resume(): void {
    const saved = this.st.get('otaOffer') as ArrayBuffer | null;
    const prog = parseProgress(this.st.get('otaProg') as string);
    if (!saved || !prog) {
      this.lastFinal = this.st.get('otaLast') as string;
      return this.publishStatus(true);
    }
    const offer = parseOffer(new Uint8Array(saved));
    if (typeof offer === 'string' || !this.verifySignature(offer)) return this.drop('saved offer no longer verifies');
    this.offer = offer;
    this.done = prog.done;
    this.doneCrc = prog.doneCrc;
    this.probeBoots = prog.probeBoots;
    this.label = prog.label;
    const m = offer.manifest;
    if (!this.n.partInfo(this.label)) return this.drop('saved slot is gone');
    if (prog.phase === 'pending') return this.probation(this.facts());
    if (prog.phase === 'verify') {
      const f = this.facts();
      if (switched(f)) return this.probation(f);
      this.done = chunkCount(m);
    }
    // Re-check what the saved progress claims is in flash.
    const bytes = Math.min(this.done * m.chunk, m.size);
    if (bytes > 0 && slotCrc(this.n, this.label, this.mapped, 0, bytes, 0) !== this.doneCrc) {
      this.done = 0;
      this.doneCrc = 0;
    }
    if (this.done * m.chunk >= m.size) {
      this.win = null;
      return this.verify();
    }
    this.setState('downloading', '');
    this.begin();
  }

  /** What runs now, for the update pending since before the restart. */
  private facts(): BootFacts {
    const kind = this.offer!.manifest.kind;
    const fw = kind === 'firmware' ? this.n.otaRunning() : null;
    const running = fw ? fw.label : kind === 'app' ? this.n.info().appSlot : '';
    const trial = kind === 'app' ? (this.st.get('appTrial') as number) : -1;
    return {
      kind,
      label: this.label,
      running,
      confirmed: fw ? fw.state === 'valid' : trial === 0,
      onTrial: fw ? fw.state === 'pending-verify' : trial === 2,
      rolledWhy: kind === 'app' ? (this.st.get('appRolled') as string) : '',
      probeBoots: this.probeBoots,
    };
  }

  /** The image booted after the switch: already decided, or the probation starts (a restart during it fails it). */
  private probation(f: BootFacts): void {
    this.phase = 'pending';
    const v = bootVerdict(f);
    if (v === 'accepted') return this.finish('accepted', '');
    if (typeof v === 'object') return 'rollback' in v ? this.rollback(v.rollback) : this.finish('rolled-back', v.rolledBack);
    this.probeBoots = 1;
    this.save();
    this.setState('pending-verify', '');
    this.probeStart = this.n.millis();
    this.probing = true;
  }

  /** On every poll while probing. */
  protected probeCheck(): void {
    const elapsed = this.n.millis() - this.probeStart;
    const heap = this.n.heapStats();
    const v = probeVerdict(elapsed, this.client.connected, heap.jsSize - heap.jsUsed, this.o);
    if (v === 'pass') {
      if (this.offer!.manifest.kind === 'firmware') this.n.otaMarkValid();
      else this.st.set('appTrial', 0);
      return this.finish('accepted', '');
    }
    if (v !== 'wait') this.rollback(v);
  }

  private rollback(reason: string): void {
    const kind = this.offer!.manifest.kind;
    // Saved now, published by the previous image once it runs again: a "rolled-back" status from the image being
    // rolled back would name the wrong running slot, and a power cut before the restart rolls back anyway.
    this.finish('rolled-back', reason, false);
    if (kind === 'firmware') {
      this.step(() => {
        this.n.otaRollback();
        // Returns only when there is no usable firmware to go back to (esp_ota_mark_app_invalid_rollback_and_reboot
        // fails): this image, verified but unhealthy, is all there is. Keep it rather than leave it to be aborted
        // by the bootloader with nothing behind it, and say so.
        this.n.otaMarkValid();
        this.finish('rejected', `${reason}; no firmware to roll back to, kept ${this.n.otaRunning().label}`);
      }, 200);
    } else {
      this.st.set('appRolled', reason);
      this.st.set('appSlot', this.st.get('appPrev') as string);
      this.st.set('appTrial', 0);
      this.step(() => this.n.restart(), 200);
    }
  }
}
