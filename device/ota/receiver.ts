/**
 * The OTA receiver (docs/ota-protocol.md is the spec): the composition root. It owns the state machine (machine.ts)
 * and hands each part what it needs; each part owns its own state:
 * - session.ts: which update, where it came from, expiry, stall, cancel, what was answered;
 * - transfer.ts: the chunk window, requests, frame judgement, the transfer's counters;
 * - slot-writer.ts: erase, write and read back, the saved prefix;
 * - verifier.ts: the whole-image hash and the kind's checks;
 * - probation.ts: the boot after the switch, accept or roll back;
 * - reporter.ts: the retained status and refusals.
 * The pure rules are in manifest.ts, progress.ts, window.ts, probation-rules.ts, status.ts, frame.ts, app-header.ts
 * and model-header.ts.
 */
import type { Native } from '../../bindings/native.js';
import { parseOffer, judgeManifest, arbitrate, copyBytes, type Offer, type OtaKind } from './manifest.ts';
import { APP_FORMAT } from './app-header.ts';
import { MODEL_FORMAT } from './model-header.ts';
import { chunkCount, formatProgress, parseProgress } from './progress.ts';
import { OtaMachine, inProgress, type OtaEvent, type OtaState } from './machine.ts';
import { OtaSession } from './session.ts';
import { TransferWindow } from './transfer.ts';
import { SlotWriter } from './slot-writer.ts';
import { Verifier } from './verifier.ts';
import { Probation } from './probation.ts';
import { Reporter } from './reporter.ts';
import { Stepper } from './stepper.ts';
import { OtaStore } from './store.ts';
import { busyReason, memOf, statusJson, type Busy, type Running } from './status.ts';
import { FRAME_HEADER_BYTES } from './frame.ts';
import type { OtaClient, OtaOptions, OtaStats, Phase } from './types.ts';
import { makeTopics } from '../topics.ts';

export type { OtaClient, OtaOptions, OtaState };

/** The anti-rollback sequence of each kind (state keys). */
const SEQ_KEY: { [k in OtaKind]: 'otaSeqFw' | 'otaSeqApp' | 'otaSeqModel' } = { firmware: 'otaSeqFw', app: 'otaSeqApp', model: 'otaSeqModel' };

/** The saved phase (`otaProg`) of each state with an update in progress. */
const PHASE: { [s in OtaState]?: Phase } = { offered: 'erase', downloading: 'download', verifying: 'verify', 'pending-verify': 'pending' };

export class OtaReceiver {
  readonly machine = new OtaMachine();
  /** Why the last update ended as it did ('' unless rejected or rolled back). */
  reason = '';
  private readonly n: Native;
  private readonly st: OtaStore;
  private readonly t: { offer: string; group: string; data: string; req: string; status: string };
  private readonly stepper: Stepper;
  private readonly session: OtaSession;
  private readonly transfer: TransferWindow;
  private readonly slot: SlotWriter;
  private readonly verifier: Verifier;
  private readonly probation: Probation;
  private readonly reporter: Reporter;
  private pollTimer = 0;

  constructor(
    private readonly client: OtaClient,
    private readonly o: OtaOptions,
  ) {
    const n = (this.n = o.native ?? native);
    this.st = new OtaStore(n);
    const t = makeTopics(o.prefix, o.deviceId, o.group);
    this.t = { offer: t.otaOffer, group: t.otaGroupOffer, data: t.otaData, req: t.otaReq, status: t.otaStatus };
    // A step that throws is reported by the runtime, which restarts later: the hash contexts must not stay taken.
    this.stepper = new Stepper(n, () => this.verifier.stop());
    this.session = new OtaSession(n, this.st, o.stallSec * 1000);
    this.transfer = new TransferWindow(n, client, this.t.req, o.window, o.retryMs ?? 1500);
    this.slot = new SlotWriter(n, this.stepper);
    this.verifier = new Verifier(n, this.stepper);
    this.probation = new Probation(n, this.st, this.stepper, o);
    this.reporter = new Reporter(n, client, this.t.status, () => ({ json: this.statusJson(), running: this.running(), mem: memOf(this.stats), fresh: !this.session.offer }));
  }

  get state(): OtaState {
    return this.machine.state;
  }

  /** The current transfer's `mem` figures. */
  get stats(): OtaStats {
    return this.transfer.stats;
  }

  /** Subscribes, resumes whatever was in progress (after a reboot) and republishes the last status. */
  start(): void {
    const { client, t } = this;
    client.on('message', (topic, payload) => {
      if (topic === t.data) this.onFrame(payload);
      else if (topic === t.offer || (t.group !== '' && topic === t.group)) this.onOffer(payload, topic);
    });
    client.on('connect', () => {
      this.transfer.lost();
      this.reporter.publish(true);
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
  }

  // --- the session's ends, checked on every poll, in every state with an update in progress

  private poll(): void {
    const s = this.state;
    if (!inProgress(s)) return;
    if (this.session.expired()) return this.expire();
    if ((s === 'offered' || s === 'downloading') && this.session.stalled()) return this.stall('');
    if (s === 'downloading') {
      this.transfer.request(this.session.manifest!);
      this.reporter.publish(false);
    } else if (s === 'pending-verify' && this.probation.running) this.probeCheck();
  }

  private stall(how: string): void {
    this.end('stall', `stalled: no progress for ${this.o.stallSec} s${how}`);
  }

  /** Past the boot switch an expired offer is rolled back; before it, the update just ends. */
  private expire(): void {
    if (this.state === 'pending-verify') this.rollback('offer expired', 'expire');
    else this.end('expire', 'offer expired');
  }

  // --- offers

  /** Offer checks in the protocol's order, all before anything is erased; an accepted offer starts the transfer. */
  private onOffer(buf: Uint8Array, topic: string): void {
    if (buf.length === 0) return this.onCleared(topic);
    const offer = parseOffer(buf);
    // Until the signature passes, a refusal is never retained: anyone may publish here (docs/ota-protocol.md).
    if (typeof offer === 'string') return this.reporter.refuse(0, offer, 'once');
    const m = offer.manifest;
    const s = this.session;
    const cur = inProgress(this.state) ? s.manifest : undefined;
    const action = arbitrate(m, cur, this.state === 'pending-verify', s.hasAnswered(m.session), s.lastIssued);
    if (action === 'ignore') return;
    if (!this.verifySignature(offer)) {
      s.answer(m.session);
      return this.reporter.refuse(m.session, 'bad signature', 'once');
    }
    if (action === 'adopt') {
      // A restarted publisher: same update, new session; what is in flight is asked for again under it.
      s.adopt(offer, topic);
      this.slot.adopt(s.manifest!);
      this.transfer.lost();
      this.save();
      return this.reporter.publish(true);
    }
    if (action === 'busy') {
      const b = this.busyWith();
      return this.reporter.refuse(m.session, busyReason(b), 'thenCurrent', b);
    }
    s.answer(m.session);
    const accepted = this.st.get(SEQ_KEY[m.kind]) as number;
    // Already installed (a re-sent or stale retained offer): answer without touching the retained status.
    if (m.version === accepted) return this.reporter.refuse(m.session, `version ${accepted} is already installed`, 'thenCurrent');
    const label = this.slotFor(m.kind);
    const part = label ? this.n.partInfo(label) : undefined;
    const info = this.n.info();
    const why = judgeManifest(m, {
      ...this.o,
      ...info,
      now: this.n.wallClock(),
      acceptedVersion: accepted,
      slotSize: part ? part.size : 0,
      dataTopicBytes: this.t.data.length,
      formats: { app: APP_FORMAT, model: MODEL_FORMAT },
    });
    if (why) return this.reporter.refuse(m.session, why, cur ? 'thenCurrent' : 'retain');
    // A stale offer (redelivered late) is answered, but is not the device's word: the retained status stays.
    if (action === 'stale') return this.reporter.refuse(m.session, 'stale offer', cur ? 'thenCurrent' : 'once');
    if (cur) {
      // Superseded: the old update ends here; its publisher hears so under its own session.
      this.halt();
      this.reporter.refuse(cur.session, `superseded by ${m.session}`, 'once');
    }
    s.begin(offer, topic);
    this.slot.open(s.manifest!, label, 0, 0);
    this.probation.reset(0);
    this.transfer.reset();
    this.reason = '';
    this.go('offer');
    this.download();
  }

  /** An empty message on an offer topic: its retained offer was cleared, which cancels the update it offered. */
  private onCleared(topic: string): void {
    const s = this.state;
    // Past the boot switch the probation decides (and ends by its deadline); with nothing in progress, nothing to do
    // (a publisher clears its offer once the update ended: the retained status already says how).
    if (!inProgress(s) || s === 'pending-verify') return;
    if (this.session.topic && this.session.topic !== topic) return;
    this.end('cancel', 'cancelled');
  }

  // --- the transfer

  /** From `offered`: erase what is not saved yet, then ask for the chunks. */
  private download(): void {
    const m = this.session.manifest!;
    this.session.moved();
    this.transfer.open(m, this.slot.done);
    this.save();
    this.reporter.publish(true);
    this.slot.erase(() => {
      this.go('erased');
      this.save();
      this.reporter.publish(true);
      this.transfer.request(m);
    });
  }

  private onFrame(buf: Uint8Array): void {
    const m = this.session.manifest;
    if (this.state !== 'downloading' || !m) return;
    const tr = this.transfer;
    if (!tr.take(buf, m)) return;
    const h = tr.hdr;
    const win = tr.win!;
    const redo = this.slot.write(h.index, buf.subarray(FRAME_HEADER_BYTES), h.crc);
    if (redo) {
      // Flash did not take it: its sector was erased again, and what lived there is missing once more.
      return win.forget(redo.first, redo.last);
    }
    win.mark(h.index);
    this.session.moved();
    if (this.slot.advance(win)) this.save();
    if (win.complete) {
      this.go('complete');
      return this.verify();
    }
    tr.request(m);
    this.reporter.publish(false);
  }

  /** In `verifying`: hash and check the image in flash, then install it. */
  private verify(): void {
    this.transfer.close();
    this.save();
    this.reporter.publish(true);
    const m = this.session.manifest!;
    this.verifier.start(m, this.slot.label, this.slot.mapped, (why) => (why ? this.end('fail', why) : this.install()));
  }

  private install(): void {
    const m = this.session.manifest!;
    const label = this.slot.label;
    if (m.kind === 'model') {
      // The model runtime may refuse it (features it cannot compute): the old model stays, and no version is spent.
      const why = this.o.onModel ? this.o.onModel(label, m.version) : null;
      if (why) return this.end('fail', `model refused: ${why}`);
      this.st.set('modelSlot', label);
      return this.end('installed', '');
    }
    if (m.kind === 'firmware') {
      const why = this.n.otaSetBoot(label);
      if (why) return this.end('fail', why);
    } else {
      const running = this.n.info().appSlot;
      this.st.set('appPrev', running === 'app_a' || running === 'app_b' ? running : '');
      this.st.set('appSlot', label);
      this.st.set('appTrial', 1);
    }
    this.go('switched');
    this.save();
    this.reporter.publish(true);
    // Give the status a moment to leave before the restart.
    this.stepper.run(() => this.n.restart(), 200);
  }

  // --- after a restart: resume, probation

  /** On start: picks up the saved update, or republishes the last final status when there is none. */
  private resume(): void {
    const saved = this.st.get('otaOffer') as ArrayBuffer | null;
    const prog = parseProgress(this.st.get('otaProg') as string);
    if (!saved || !prog) {
      this.session.answer(lastSession((this.reporter.lastFinal = this.st.get('otaLast') as string)));
      return this.reporter.publish(true);
    }
    const offer = parseOffer(new Uint8Array(saved));
    if (typeof offer === 'string' || !this.verifySignature(offer)) return this.end('fail', 'saved offer no longer verifies');
    if (!this.n.partInfo(prog.label)) return this.end('fail', 'saved slot is gone');
    const s = this.session;
    s.restore(offer, prog.started, prog.lastAt);
    const m = s.manifest!;
    // Saved in 'verify', every chunk was in flash: re-checked against the CRC of the whole image.
    this.slot.open(m, prog.label, prog.phase === 'verify' ? chunkCount(m) : prog.done, prog.doneCrc);
    this.probation.reset(prog.probeBoots);
    if (prog.phase === 'pending' || (prog.phase === 'verify' && this.probation.switched(m.kind, prog.label))) {
      this.go('resumeProbation');
      return this.session.expired() ? this.expire() : this.afterSwitch();
    }
    this.slot.recheck();
    const complete = this.slot.done * m.chunk >= m.size;
    this.go(complete ? 'resumeVerify' : 'resumeErase');
    if (s.expired()) return this.expire();
    if (!complete && s.stalledAcrossRestart()) return this.stall(' (across a restart)');
    if (complete) this.verify();
    else this.download();
  }

  /** The image booted after the switch: already decided, or the probation starts (a restart during it fails it). */
  private afterSwitch(): void {
    const m = this.session.manifest!;
    const v = this.probation.verdict(m.kind, this.slot.label);
    if (v === 'accepted') return this.end('pass', '');
    if (typeof v === 'object') return 'rollback' in v ? this.rollback(v.rollback, 'rollback') : this.end('rollback', v.rolledBack);
    this.probation.start();
    this.save();
    this.reporter.publish(true);
  }

  /** On every poll while probing. */
  private probeCheck(): void {
    const v = this.probation.check(this.client.connected);
    if (v === 'pass') {
      this.probation.confirm(this.session.manifest!.kind);
      return this.end('pass', '');
    }
    if (v !== 'wait') this.rollback(v, 'rollback');
  }

  private rollback(reason: string, event: 'rollback' | 'expire'): void {
    const kind = this.session.manifest!.kind;
    // Saved now, published by the previous image once it runs again: a "rolled-back" status from the image being
    // rolled back would name the wrong running slot, and a power cut before the restart rolls back anyway.
    this.end(event, reason, false);
    this.probation.rollback(kind, reason, () => this.end('fail', `${reason}; no firmware to roll back to, kept ${this.n.otaRunning().label}`));
  }

  // --- the machine, the saved progress, the end of an update

  private go(event: OtaEvent): void {
    this.machine.fire(event);
  }

  /**
   * Ends the update: final status saved and published, the saved offer and progress gone. Also gives up a saved update
   * that can no longer be read back (no manifest then: `fail` from rest).
   */
  private end(event: OtaEvent, reason: string, publish = true): void {
    const m = this.session.manifest;
    const to = this.machine.fire(event);
    if (to === 'accepted' && m) this.st.set(SEQ_KEY[m.kind], m.version);
    this.halt();
    this.reason = reason;
    if (publish) this.reporter.publish(true);
    this.st.set('otaLast', this.statusJson());
    this.session.end();
  }

  /** Stops the work in memory (timers, window, hash contexts); saved progress stays. */
  private halt(): void {
    this.stepper.stop();
    this.verifier.stop();
    this.transfer.close();
    this.probation.reset(this.probation.boots);
  }

  /** Saves the progress (a safe point). */
  private save(): void {
    const phase = PHASE[this.state];
    const s = this.session;
    if (!phase || !s.offer) return;
    const sl = this.slot;
    this.st.set('otaProg', formatProgress({ phase, session: s.offer.manifest.session, done: sl.done, doneCrc: sl.doneCrc, probeBoots: this.probation.boots, label: sl.label, started: s.started, lastAt: s.lastAt }));
  }

  private busyWith(): Busy {
    const m = this.session.manifest!;
    const s = this.state;
    const endsIn = this.session.endsIn(s === 'offered' || s === 'downloading', s === 'pending-verify' ? this.probation.deadline : null);
    return { kind: m.kind, version: m.version, session: m.session, state: s, endsIn };
  }

  private statusJson(): string {
    const s = this.state;
    const win = this.transfer.win;
    return statusJson(s, this.reason, this.session.manifest, win ? win.receivedCount : null, this.running(), memOf(this.stats), inProgress(s) ? this.busyWith().endsIn : -1);
  }

  private running(): Running {
    const st = this.st;
    return {
      fw: this.n.otaRunning().label,
      app: this.n.info().appSlot,
      model: st.get('modelSlot') as string,
      seq: [st.get('otaSeqFw') as number, st.get('otaSeqApp') as number, st.get('otaSeqModel') as number],
    };
  }

  private verifySignature(offer: Offer): boolean {
    const key = this.o.pubKey;
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

  /** The inactive slot of a kind. */
  private slotFor(kind: OtaKind): string {
    if (kind === 'firmware') return this.n.otaNextSlot().label;
    if (kind === 'app') return this.n.info().appSlot === 'app_a' ? 'app_b' : 'app_a';
    return this.st.get('modelSlot') === 'model_a' ? 'model_b' : 'model_a';
  }
}

/** The session a saved final status names (0 when none or unreadable). */
function lastSession(json: string): number {
  try {
    const j = JSON.parse(json);
    return j && typeof j.session === 'number' ? j.session : 0;
  } catch (e) {
    return 0;
  }
}
