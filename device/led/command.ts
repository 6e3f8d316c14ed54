/**
 * LED commands, parsed without side effects. Accepts `on`, `off`, `toggle`, or JSON
 * {"state": "on"|"off"|"toggle", "pin"?: n, "blink"?: {"periodMs": n, "count": n}, "id"?: string,
 *  "from"?: string, "seq"?: n}. `from` and `seq` (together) make the command apply exactly once and in order
 * (device/led/senders.ts); without them a command is applied at least once (README, Topics).
 */
import { utf8Decode } from '../lib/utf8.ts';

export type LedState = 'on' | 'off' | 'toggle';

export interface LedCommand {
  state: LedState;
  pin: number;
  blink: { periodMs: number; count: number } | null;
  /** Optional command id: named in the state report; a repeated id is applied once within a boot. */
  id: string | null;
  /** The sender and its sequence number (both or neither): a command is applied only above the last from its sender. */
  from: string | null;
  seq: number;
}

export type ParseResult = { ok: true; cmd: LedCommand } | { ok: false; error: string };

/** Commands are short; anything longer is refused before it is decoded. */
export const MAX_COMMAND_BYTES = 256;
export const BLINK_PERIOD_MS: [number, number] = [20, 60000];
export const BLINK_COUNT_MAX = 1000;
export const MAX_SENDER_CHARS = 64;

export function parseLedCommand(payload: Uint8Array, allowedPins: number[], defaultPin: number): ParseResult {
  if (payload.length === 0) return fail('empty payload');
  if (payload.length > MAX_COMMAND_BYTES) return fail(`payload of ${payload.length} bytes is over the ${MAX_COMMAND_BYTES}-byte limit`);
  const text = utf8Decode(payload);
  if (text === null) return fail('payload is not UTF-8 text');
  const word = text.trim();
  if (word === 'on' || word === 'off' || word === 'toggle') return { ok: true, cmd: { state: word, pin: defaultPin, blink: null, id: null, from: null, seq: 0 } };
  if (word[0] !== '{') return fail(`unknown command "${clip(word)}": use on, off, toggle or JSON {"state":...}`);
  let obj: unknown;
  try {
    obj = JSON.parse(word);
  } catch {
    return fail('invalid JSON');
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return fail('JSON command must be an object');
  const o = obj as Record<string, unknown>;
  for (const k in o) if (k !== 'state' && k !== 'pin' && k !== 'blink' && k !== 'id' && k !== 'from' && k !== 'seq') return fail(`unknown field "${clip(k)}"`);
  const state = o.state;
  if (state !== 'on' && state !== 'off' && state !== 'toggle') return fail(`unknown state ${clip(JSON.stringify(state) ?? 'undefined')}: use on, off or toggle`);
  let pin = defaultPin;
  if (o.pin !== undefined) {
    if (typeof o.pin !== 'number' || !Number.isInteger(o.pin)) return fail('pin must be an integer');
    if (allowedPins.indexOf(o.pin) < 0) return fail(`pin ${o.pin} is not allowed (allowed: ${allowedPins.join(',')})`);
    pin = o.pin;
  }
  let blink: LedCommand['blink'] = null;
  if (o.blink !== undefined) {
    const b = o.blink as Record<string, unknown>;
    if (typeof b !== 'object' || b === null) return fail('blink must be an object {"periodMs": n, "count": n}');
    const { periodMs, count } = b;
    if (typeof periodMs !== 'number' || !Number.isInteger(periodMs) || periodMs < BLINK_PERIOD_MS[0] || periodMs > BLINK_PERIOD_MS[1])
      return fail(`blink.periodMs must be an integer in ${BLINK_PERIOD_MS[0]}..${BLINK_PERIOD_MS[1]}`);
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > BLINK_COUNT_MAX)
      return fail(`blink.count must be an integer in 1..${BLINK_COUNT_MAX}`);
    blink = { periodMs, count };
  }
  let id: string | null = null;
  if (o.id !== undefined) {
    if (typeof o.id !== 'string' || o.id.length === 0 || o.id.length > 64) return fail('id must be a string of 1..64 characters');
    id = o.id;
  }
  if ((o.from === undefined) !== (o.seq === undefined)) return fail('from and seq go together');
  let from: string | null = null;
  let seq = 0;
  if (o.from !== undefined) {
    if (typeof o.from !== 'string' || o.from.length === 0 || o.from.length > MAX_SENDER_CHARS) return fail(`from must be 1..${MAX_SENDER_CHARS} characters`);
    if (typeof o.seq !== 'number' || !Number.isSafeInteger(o.seq) || o.seq < 1) return fail('seq must be a positive integer');
    from = o.from;
    seq = o.seq;
  }
  return { ok: true, cmd: { state, pin, blink, id, from, seq } };
}

function fail(error: string): ParseResult {
  return { ok: false, error };
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '...' : s;
}
