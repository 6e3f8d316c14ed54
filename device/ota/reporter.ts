/**
 * Publishes the receiver's word on `<p>/<id>/ota/status` (docs/ota-protocol.md, Status): the retained status, at
 * most every 500 ms unless forced, and refusals, retained only when they are the device's word on a signed offer.
 * Owns the last final status saved before this boot, republished while nothing is in progress.
 */
import type { Native } from '../../bindings/native.js';
import { lastFinalNow, refusalJson, type Busy, type Mem, type Running } from './status.ts';
import type { OtaClient } from './types.ts';

export type RefusalKind = 'retain' | 'once' | 'thenCurrent';

export class Reporter {
  /** The last final status saved before this boot ('' when none), republished while nothing happened since. */
  lastFinal = '';
  /** Board time of the last status (the first is never held back: board time starts at 0). */
  private lastAt = -1000;

  constructor(
    private readonly n: Native,
    private readonly client: OtaClient,
    private readonly topic: string,
    /** The current status JSON, what runs now, and this transfer's memory figures. */
    private readonly now: () => { json: string; running: Running; mem: Mem; fresh: boolean },
  ) {}

  /** The retained status; unforced, at most every 500 ms (downloading). */
  publish(force: boolean): void {
    const t = this.n.millis();
    if (!force && t - this.lastAt < 500) return;
    this.lastAt = t;
    const s = this.now();
    // With nothing in progress since boot, the last final status stays the word on this device, with what runs
    // now: it was saved before a rollback restart, by the image that is no longer running.
    const json = (s.fresh && this.lastFinal && lastFinalNow(this.lastFinal, s.running, s.mem)) || s.json;
    this.client.publish(this.topic, json, { qos: 1, retain: true });
  }

  /**
   * A refused offer, naming the refused session. 'retain' only for a signed offer refused while nothing is in
   * progress: it is then the device's word on that offer. 'once' (not retained) for an offer that did not pass the
   * signature check: anyone can publish on the offer topic, so such a refusal must never replace the retained status.
   * 'thenCurrent': not retained, and the status of the update in progress follows it (it stays the word).
   */
  refuse(session: number, reason: string, how: RefusalKind, busy?: Busy): void {
    const s = this.now();
    this.client.publish(this.topic, refusalJson(session, reason, s.running, s.mem, busy), { qos: 1, retain: how === 'retain' });
    if (how === 'thenCurrent') this.publish(true);
  }
}
