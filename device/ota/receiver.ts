/**
 * The OTA receiver (docs/ota-protocol.md is the spec), the top layer: subscribes, takes offers (one update at a time),
 * and hands frames and polls to the layers below: core.ts (state, saved progress, status), transfer.ts (erase,
 * download, verify, install), probation.ts (resume and probation after a restart). The pure rules they follow are in
 * manifest.ts, progress.ts, window.ts, probation-rules.ts, status.ts, frame.ts, app-header.ts and model-header.ts.
 */
import { parseOffer, judgeManifest, arbitrate, copyOffer, packOffer, type OtaKind } from './manifest.ts';
import { APP_FORMAT } from './app-header.ts';
import { MODEL_FORMAT } from './model-header.ts';
import { SEQ_KEY } from './core.ts';
import { OtaProbation } from './probation.ts';

export type { OtaClient, OtaOptions, OtaState } from './types.ts';

export class OtaReceiver extends OtaProbation {
  private pollTimer = 0;

  get busy(): boolean {
    return this.phase !== null;
  }

  /** Subscribes, resumes whatever was in progress (after a reboot) and republishes the last status. */
  start(): void {
    const { client, t } = this;
    client.on('message', (topic, payload) => {
      if (topic === t.data) this.onFrame(payload);
      else if (topic === t.offer || topic === t.group) this.onOffer(payload);
    });
    client.on('connect', () => {
      if (this.win) this.win.clearFlight();
      this.publishStatus(true);
    });
    client.subscribe(t.offer, { qos: 1 });
    if (this.o.group) client.subscribe(t.group, { qos: 1 });
    client.subscribe(t.data, { qos: 0 });
    this.resume();
    this.pollTimer = this.n.timerStart(100, true, () => this.poll());
  }

  /** Stops the receiver: timers and the update in memory (its saved progress stays; SHA-256 contexts are freed). */
  stop(): void {
    if (this.pollTimer) this.n.timerStop(this.pollTimer);
    this.pollTimer = 0;
    this.halt();
    this.probing = false;
  }

  private poll(): void {
    if (this.phase === 'download') {
      this.request();
      this.publishStatus(false);
    } else if (this.probing) this.probeCheck();
  }

  /** Offer checks in the protocol's order, all before anything is erased; an accepted offer starts the transfer. */
  private onOffer(buf: Uint8Array): void {
    if (buf.length === 0) return; // a cleared retained offer
    const offer = parseOffer(buf);
    // Until the signature passes, a refusal is never retained: anyone may publish here (docs/ota-protocol.md).
    if (typeof offer === 'string') return this.refuse(0, offer, 'once');
    const m = offer.manifest;
    const busy = this.phase !== null && this.offer !== null;
    const action = arbitrate(m, busy ? this.offer!.manifest : undefined, this.phase === 'pending');
    if (action === 'ignore') return;
    if (action === 'busy') return this.refuse(m.session, 'busy', 'thenCurrent');
    if (!this.verifySignature(offer)) return this.refuse(m.session, 'bad signature', 'once');
    if (action === 'adopt') {
      this.offer = copyOffer(offer); // a restarted publisher: same image, new session
      this.saveOffer();
      this.save();
      if (this.win) this.win.clearFlight();
      return this.publishStatus(true);
    }
    const accepted = this.st.get(SEQ_KEY[m.kind]) as number;
    // Already installed (a re-sent or stale retained offer): answer without touching the retained status.
    if (m.version === accepted) return this.refuse(m.session, `version ${accepted} is already installed`, 'thenCurrent');
    const label = this.slotFor(m.kind);
    const part = label ? this.n.partInfo(label) : undefined;
    const info = this.n.info();
    const why = judgeManifest(m, {
      deviceId: this.o.deviceId,
      group: this.o.group,
      chip: info.chip,
      now: this.n.wallClock(),
      acceptedVersion: accepted,
      slotSize: part ? part.size : 0,
      contract: info.contractVersion,
      engineConfig: info.engineConfigHash,
      maxMsg: this.o.maxMsg,
      dataTopicBytes: this.t.data.length,
      formats: { app: APP_FORMAT, model: MODEL_FORMAT },
    });
    if (why) return this.refuse(m.session, why, busy ? 'thenCurrent' : 'retain');
    // Accepted for download: supersedes whatever was in progress.
    this.halt();
    this.stats.peakOutstandingBytes = this.stats.heldBytes = 0; // `mem` in the status is per transfer
    this.offer = copyOffer(offer);
    this.label = label;
    this.done = 0;
    this.doneCrc = 0;
    this.probeBoots = 0;
    this.saveOffer();
    this.enter('erase');
    this.setState('offered', '');
    this.begin();
  }

  private saveOffer(): void {
    this.st.set('otaOffer', packOffer(this.offer!).buffer as ArrayBuffer);
  }

  /** The inactive slot of a kind. */
  private slotFor(kind: OtaKind): string {
    if (kind === 'firmware') return this.n.otaNextSlot().label;
    if (kind === 'app') return this.n.info().appSlot === 'app_a' ? 'app_b' : 'app_a';
    return this.st.get('modelSlot') === 'model_a' ? 'model_b' : 'model_a';
  }
}
