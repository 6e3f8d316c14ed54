/**
 * The session around one update: which update it is (its identity, manifest.ts sameUpdate), where its offer came
 * from, and the three things that end it whatever the publisher does: the offer's expiry, no progress for the stall
 * time (also across restarts: the saved progress says when the update started and last moved), and a cancel (the
 * retained offer cleared). Also what the device already answered, so that repeated or stale offers never start.
 */
import type { Native } from '../../bindings/native.js';
import { copyOffer, packOffer, type Manifest, type Offer } from './manifest.ts';
import type { OtaStore } from './store.ts';

/** Sessions remembered as answered (besides the last final one, which survives a restart in `otaLast`). */
const ANSWERED = 8;

export class OtaSession {
  /** The update this boot knows of. It stays after the update ends (the status names it). */
  offer: Offer | null = null;
  /** The topic it came on: clearing the retained offer there cancels it. */
  topic = '';
  /** Wall clock (ms since the epoch; 0 when the clock was not set) when the update started and last moved. */
  started = 0;
  lastAt = 0;
  /** The newest issue time of an offer taken (`otaIssued`): an offer issued before it is stale. */
  lastIssued: number;
  /** Board time of the last progress in this boot. */
  private movedAt = 0;
  private readonly answered: number[] = [];

  constructor(
    private readonly n: Native,
    private readonly st: OtaStore,
    private readonly stallMs: number,
  ) {
    this.lastIssued = Number(st.get('otaIssued')) || 0;
  }

  get manifest(): Manifest | undefined {
    return this.offer ? this.offer.manifest : undefined;
  }

  /** A new update from `topic`: saved (`otaOffer`) with its start time. */
  begin(offer: Offer, topic: string): void {
    this.offer = copyOffer(offer);
    this.topic = topic;
    this.started = this.lastAt = this.n.wallClock();
    this.movedAt = this.n.millis();
    const issued = offer.manifest.issued;
    if (issued > this.lastIssued) {
      this.lastIssued = issued;
      this.st.set('otaIssued', String(issued));
    }
    this.save();
  }

  /** The same update under a new session (a restarted publisher): progress is kept. */
  adopt(offer: Offer, topic: string): void {
    const old = this.offer!.manifest.session;
    this.offer = copyOffer(offer);
    this.topic = topic;
    this.answer(old);
    this.save();
  }

  /** The saved update, after a restart; `topic` is unknown (either offer topic may cancel it). */
  restore(offer: Offer, started: number, lastAt: number): void {
    this.offer = copyOffer(offer);
    this.topic = '';
    this.started = started;
    this.lastAt = lastAt;
    this.movedAt = this.n.millis();
  }

  /** A new chunk arrived (or a phase began): the stall clock starts again. */
  moved(): void {
    this.movedAt = this.n.millis();
    this.lastAt = this.n.wallClock();
  }

  expired(): boolean {
    const m = this.manifest;
    const now = this.n.wallClock();
    return !!m && m.expires > 0 && now > 0 && now > m.expires;
  }

  /** No progress for the stall time in this boot. */
  stalled(): boolean {
    return this.n.millis() - this.movedAt > this.stallMs;
  }

  /** No progress for the stall time by the wall clock, across the restart just done (saved `lastAt`). */
  stalledAcrossRestart(): boolean {
    const now = this.n.wallClock();
    return now > 0 && this.lastAt > 0 && now - this.lastAt > this.stallMs;
  }

  /**
   * When the update ends at the latest, in ms from now: the offer's expiry, and the stall deadline (`stalls`) or the
   * probation deadline (`deadline`, board time). -1 when nothing bounds it (cannot happen while one of them runs).
   */
  endsIn(stalls: boolean, deadline: number | null): number {
    const m = this.manifest;
    const now = this.n.millis();
    let left = -1;
    const wall = this.n.wallClock();
    if (m && m.expires > 0 && wall > 0) left = Math.max(0, m.expires - wall);
    const own = stalls ? this.movedAt + this.stallMs - now : deadline !== null ? deadline - now : -1;
    if (own >= 0 && (left < 0 || own < left)) left = own;
    return left;
  }

  answer(session: number): void {
    if (this.answered.indexOf(session) >= 0) return;
    this.answered.push(session);
    if (this.answered.length > ANSWERED) this.answered.shift();
  }

  hasAnswered(session: number): boolean {
    return this.answered.indexOf(session) >= 0;
  }

  /** The update ended: its session is answered; the saved offer and progress go. */
  end(): void {
    if (this.offer) this.answer(this.offer.manifest.session);
    this.st.erase('otaProg');
    this.st.erase('otaOffer');
  }

  private save(): void {
    this.st.set('otaOffer', packOffer(this.offer!).buffer as ArrayBuffer);
  }
}
