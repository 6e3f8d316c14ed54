/**
 * The receiver's one state machine (docs/ota-protocol.md, Device state machine, draws this table). Every state and
 * every transition is named here and nowhere else: the receiver fires events, and an event a state does not name is
 * a bug that throws, instead of a state that silently goes wrong. Pure: no I/O.
 */
export type OtaState = 'idle' | 'offered' | 'downloading' | 'verifying' | 'pending-verify' | 'accepted' | 'rejected' | 'rolled-back';

export type OtaEvent =
  /** A signed offer passed every check (or superseded the update in progress). */
  | 'offer'
  /** After a restart, a saved update picks up where it stood (erase the rest and download, verify, or probation). */
  | 'resumeErase'
  | 'resumeVerify'
  | 'resumeProbation'
  /** The slot range is erased; every chunk is in flash; the image verified and its slot was switched. */
  | 'erased'
  | 'complete'
  | 'switched'
  /** A model verified and was taken by its runtime; the probation passed. */
  | 'installed'
  | 'pass'
  /** A check failed or a step threw. */
  | 'fail'
  /** The retained offer was cleared, or `jerrywatt ota cancel`. */
  | 'cancel'
  /** The offer's expiry passed; no chunk arrived for the stall time. */
  | 'expire'
  | 'stall'
  /** The probation failed (or the offer expired during it): back to the previous image. */
  | 'rollback';

type Table = { readonly [S in OtaState]: { readonly [E in OtaEvent]?: OtaState } };

/**
 * What a state with nothing in progress does: take an offer, resume a saved update, or give up one that cannot be read
 * back (fail); and after a rollback, report the firmware that could not be rolled back (fail).
 */
const AT_REST = { offer: 'offered', fail: 'rejected', resumeErase: 'offered', resumeVerify: 'verifying', resumeProbation: 'pending-verify' } as const;
/** What ends an update before its boot switch (and what a newer offer does to it). */
const ENDS = { fail: 'rejected', cancel: 'rejected', expire: 'rejected', stall: 'rejected', offer: 'offered' } as const;

export const TRANSITIONS: Table = {
  idle: AT_REST,
  offered: { ...ENDS, erased: 'downloading' },
  downloading: { ...ENDS, complete: 'verifying' },
  verifying: { ...ENDS, stall: undefined, switched: 'pending-verify', installed: 'accepted' },
  // Past the boot switch only the probation decides (bounded by otaProbeSec and the offer's expiry).
  'pending-verify': { pass: 'accepted', rollback: 'rolled-back', expire: 'rolled-back', fail: 'rejected' },
  accepted: AT_REST,
  rejected: AT_REST,
  'rolled-back': AT_REST,
};

/** States in which an update is in progress (its offer and progress are saved). */
export function inProgress(s: OtaState): boolean {
  return s === 'offered' || s === 'downloading' || s === 'verifying' || s === 'pending-verify';
}

export class OtaMachine {
  state: OtaState = 'idle';

  fire(event: OtaEvent): OtaState {
    const to = TRANSITIONS[this.state][event];
    if (!to) throw new Error(`ota: ${this.state} does not take ${event}`);
    this.state = to;
    return to;
  }
}
