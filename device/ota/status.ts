/**
 * The retained status JSON (docs/ota-protocol.md, Status). Pure: the receiver hands in what it knows and what runs
 * now; publishing is core.ts's.
 */
import type { Manifest } from './manifest.ts';
import type { OtaState, OtaStats } from './types.ts';
import { chunkCount } from './progress.ts';

/** What runs when the status is published: firmware, app and model slots, and the accepted versions. */
export interface Running {
  fw: string;
  app: string;
  model: string;
  /** [firmware, app, model] */
  seq: number[];
}

export interface Mem {
  peak: number;
  held: number;
}

export function memOf(s: OtaStats): Mem {
  return { peak: s.peakOutstandingBytes, held: s.heldBytes };
}

/** The fields of every status JSON that readers of the status topic show (the publisher, `ota status`, the dashboard). */
export interface StatusView {
  state: string;
  kind: string;
  version: number;
  done: number;
  total: number;
  reason: string;
}

/**
 * The status of the update this boot knows of (`m` undefined: none). `received` is the window's count while a
 * transfer is in memory, else null: the image then counts as complete in the states that follow a full download.
 */
export function statusJson(state: OtaState, reason: string, m: Manifest | undefined, received: number | null, running: Running, mem: Mem, endsIn = -1): string {
  const total = m ? chunkCount(m) : 0;
  return JSON.stringify({
    state,
    kind: m ? m.kind : '',
    version: m ? m.version : 0,
    sha256: m ? m.sha256 : '',
    session: m ? m.session : 0,
    done: received !== null ? received : state === 'accepted' || state === 'pending-verify' || state === 'verifying' ? total : 0,
    total,
    reason,
    running,
    mem,
    // While an update is in progress: at the latest when it ends, in ms from now (left out when undefined).
    endsIn: endsIn >= 0 ? endsIn : undefined,
  });
}

/** What a `busy` refusal names: the update in progress and when it ends at the latest (ms from now). */
export interface Busy {
  kind: string;
  version: number;
  session: number;
  state: OtaState;
  endsIn: number;
}

/** A refused offer: names the refused session (the status of the current update, if any, follows it). */
export function refusalJson(session: number, reason: string, running: Running, mem: Mem, busy?: Busy): string {
  // (JSON.stringify leaves out `busy` when it is undefined.)
  return JSON.stringify({ state: 'rejected', session, reason, busy, running, mem });
}

/** The reason of a `busy` refusal: what the device is busy with, and until when. */
export function busyReason(b: Busy): string {
  return `busy: ${b.kind} v${b.version} (session ${b.session}) is ${b.state}; ends within ${Math.ceil(b.endsIn / 1000)} s`;
}

/**
 * The last final status saved before a restart (`otaLast`), with what runs now and this boot's `mem`: it was saved by
 * the image that ran then, which after a rollback is not the one running. null (as if none was saved) when it does
 * not parse or is not a JSON object (`null`, `3`, `"x"`, an array: a damaged or foreign value must not stop the boot).
 */
export function lastFinalNow(lastFinal: string, running: Running, mem: Mem): string | null {
  let j: unknown;
  try {
    j = JSON.parse(lastFinal);
  } catch (e) {
    return null;
  }
  if (!isObject(j)) return null;
  j.running = running;
  j.mem = mem;
  return JSON.stringify(j);
}

function isObject(v: unknown): v is { [k: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
