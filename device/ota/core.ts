/**
 * The bottom layer of the receiver: the device, the client, the one update in progress, and the bookkeeping every
 * layer above uses: the step timer, the saved progress, the status, and the end of an update. The layers, each in
 * its own file and each extending the one below: OtaCore -> OtaTransfer (transfer.ts) -> OtaProbation
 * (probation.ts) -> OtaReceiver (receiver.ts, the API).
 */
import { copyBytes, type Offer, type OtaKind } from './manifest.ts';
import type { ChunkWindow } from './window.ts';
import { OtaStore } from './store.ts';
import { formatProgress } from './progress.ts';
import { statusJson, refusalJson, lastFinalNow, memOf, type Running } from './status.ts';
import type { OtaClient, OtaOptions, OtaState, OtaStats, Phase } from './types.ts';
import type { Native } from '../../bindings/native.js';
import { makeTopics } from '../topics.ts';

/** The anti-rollback sequence of each kind (state keys). */
export const SEQ_KEY: { [k in OtaKind]: 'otaSeqFw' | 'otaSeqApp' | 'otaSeqModel' } = { firmware: 'otaSeqFw', app: 'otaSeqApp', model: 'otaSeqModel' };

export class OtaCore {
  state: OtaState = 'idle';
  reason = '';
  /** Counters for tests and the benchmark. */
  readonly stats: OtaStats = { frames: 0, dropped: 0, dups: 0, requests: 0, peakOutstandingBytes: 0, heldBytes: 0 };
  /** The update this boot knows of. It stays after the update ends (the status names it); null after a drop. */
  protected offer: Offer | null = null;
  /** The slot it is written to. */
  protected label = '';
  /** null when no update is in progress. */
  protected phase: Phase | null = null;
  /** Chunks saved as in flash, and their CRC-32 (`otaProg`). */
  protected done = 0;
  protected doneCrc = 0;
  protected probeBoots = 0;
  /** The chunk accounting of the transfer in memory (none before, or once the download is complete). */
  protected win: ChunkWindow | null = null;
  /** The probation runs (checked on every poll). */
  protected probing = false;
  /** The last final status saved before this boot, republished while nothing is in progress. */
  protected lastFinal = '';
  protected readonly n: Native;
  protected readonly st: OtaStore;
  protected readonly t: { offer: string; group: string; data: string; req: string; status: string };
  /**
   * The SHA-256 contexts of the verification in progress (0: none). The device has only 4 (bindings/b_crypto.c), so
   * whatever stops an update (halt: superseded, finished, stop(); a step that throws) gives them back.
   */
  protected hashAll = 0;
  protected hashPayload = 0;
  private stepTimer = 0;
  private lastStatusAt = -1e9;

  constructor(
    protected readonly client: OtaClient,
    protected readonly o: OtaOptions,
  ) {
    this.n = o.native ?? native;
    this.st = new OtaStore(this.n);
    const t = makeTopics(o.prefix, o.deviceId, o.group);
    this.t = { offer: t.otaOffer, group: t.otaGroupOffer, data: t.otaData, req: t.otaReq, status: t.otaStatus };
  }

  /** Runs `fn` in `ms` from its own timer tick (one step at a time: a new step replaces a pending one). */
  protected step(fn: () => void, ms = 1): void {
    this.stopStep();
    this.stepTimer = this.n.timerStart(ms, false, () => {
      this.stepTimer = 0;
      try {
        fn();
      } catch (e) {
        // The runtime reports the fault and restarts later: the contexts must not stay taken until then.
        this.endHashes();
        throw e;
      }
    });
  }

  /** Finishes (frees) the open SHA-256 contexts of a verification, if any. */
  protected endHashes(): void {
    const all = this.hashAll;
    const payload = this.hashPayload;
    this.hashAll = this.hashPayload = 0;
    if (all) this.n.sha256Finish(all);
    if (payload) this.n.sha256Finish(payload);
  }

  protected stopStep(): void {
    if (this.stepTimer) this.n.timerStop(this.stepTimer);
    this.stepTimer = 0;
  }

  protected enter(phase: Phase): void {
    this.phase = phase;
    this.save();
  }

  /**
   * Whether the slot being written can be mapped: app and model slots are data partitions; firmware slots are app
   * partitions, which partMap refuses on the device, and are read with partRead (slot.ts).
   */
  protected get mapped(): boolean {
    return this.offer !== null && this.offer.manifest.kind !== 'firmware';
  }

  /** Saves the progress (a safe point). */
  protected save(): void {
    if (!this.offer || this.phase === null) return;
    this.st.set('otaProg', formatProgress({ phase: this.phase, session: this.offer.manifest.session, done: this.done, doneCrc: this.doneCrc, probeBoots: this.probeBoots, label: this.label }));
  }

  /** Stops the update in progress (its saved progress stays). */
  protected halt(): void {
    this.stopStep();
    this.endHashes();
    this.phase = null;
    this.win = null;
  }

  protected fail(reason: string): void {
    this.finish('rejected', reason);
  }

  /** Ends the update: final status saved and published, progress cleared. */
  protected finish(state: OtaState, reason: string, publish = true): void {
    const m = this.offer!.manifest;
    if (state === 'accepted') this.st.set(SEQ_KEY[m.kind], m.version);
    this.halt();
    this.probing = false;
    this.state = state;
    this.reason = reason;
    if (publish) this.publishStatus(true);
    this.st.set('otaLast', this.statusJson());
    this.forget();
  }

  /** Gives up a saved update that can no longer go on. */
  protected drop(reason: string): void {
    this.forget();
    this.offer = null;
    this.setState('rejected', reason);
  }

  private forget(): void {
    this.st.erase('otaProg');
    this.st.erase('otaOffer');
  }

  protected setState(state: OtaState, reason: string): void {
    this.state = state;
    this.reason = reason;
    this.publishStatus(true);
  }

  /**
   * A refused offer, naming the refused session. 'retain' only for a signed offer refused while nothing is in
   * progress: it is then the device's word on that offer. 'once' (not retained) for an offer that did not pass the
   * signature check: anyone can publish on the offer topic, so such a refusal must never replace the retained status.
   * 'thenCurrent': not retained, and the status of the update in progress follows it (it stays the word).
   */
  protected refuse(session: number, reason: string, how: 'retain' | 'once' | 'thenCurrent'): void {
    this.client.publish(this.t.status, refusalJson(session, reason, this.running(), memOf(this.stats)), { qos: 1, retain: how === 'retain' });
    if (how === 'thenCurrent') this.publishStatus(true);
  }

  /** The retained status; unforced, at most every 500 ms (downloading). */
  protected publishStatus(force: boolean): void {
    const now = this.n.millis();
    if (!force && now - this.lastStatusAt < 500) return;
    this.lastStatusAt = now;
    // With nothing in progress since boot, the last final status stays the word on this device, with what runs
    // now: it was saved before a rollback restart, by the image that is no longer running.
    const json = (!this.offer && this.lastFinal && lastFinalNow(this.lastFinal, this.running(), memOf(this.stats))) || this.statusJson();
    this.client.publish(this.t.status, json, { qos: 1, retain: true });
  }

  protected statusJson(): string {
    return statusJson(this.state, this.reason, this.offer?.manifest, this.win ? this.win.receivedCount : null, this.running(), memOf(this.stats));
  }

  protected running(): Running {
    const st = this.st;
    return {
      fw: this.n.otaRunning().label,
      app: this.n.info().appSlot,
      model: st.get('modelSlot') as string,
      seq: [st.get('otaSeqFw') as number, st.get('otaSeqApp') as number, st.get('otaSeqModel') as number],
    };
  }

  protected verifySignature(offer: Offer): boolean {
    const key = this.st.get('otaPubKey') as ArrayBuffer | null;
    if (!key) return false;
    const n = this.n;
    const ctx = n.sha256Begin();
    let digest: ArrayBuffer | null = null;
    try {
      n.sha256Update(ctx, copyBytes(offer.manifestBytes).buffer as ArrayBuffer);
    } finally {
      digest = n.sha256Finish(ctx); // always: a context must never be left open
    }
    return n.ecdsaP256Verify(key, digest, copyBytes(offer.signature).buffer as ArrayBuffer);
  }
}
