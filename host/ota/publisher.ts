/**
 * The OTA publisher: puts a signed offer on the device (or group) topic, repeats it with backoff until every device
 * it waits for has answered, and serves every device's chunk requests from one copy of the encoded frames. It keeps
 * no per-device transfer state beyond progress for display: each device pulls at its own pace, so a slow or dead
 * device never holds the others back. Time comes from `clock` (tests pass a manual one): nothing here sleeps.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { encodeFrame, readRequest } from '../../device/ota/frame.ts';
import type { Manifest } from '../../device/ota/manifest.ts';
import { RealClock, type Clock } from '../sim/clock.ts';
import { mqttAuthOptions, type BrokerConnection } from '../mqtt/connect.ts';
import { DEFAULT_PREFIX, SUFFIX, anyIdFilter, echoTopic, groupOtaOfferTopic, topicOf } from '../../device/topics.ts';
import type { StatusView } from '../../device/ota/status.ts';

export type FinalState = 'accepted' | 'rejected' | 'rolled-back' | 'timeout' | 'aborted';

export interface DeviceProgress {
  id: string;
  state: string;
  done: number;
  total: number;
  reason: string;
  /** Frames sent to this device (re-sends included) and bytes of payload. */
  framesSent: number;
  bytesSent: number;
  firstRequestAt: number;
  finishedAt: number;
  /** The device said something about this session (a status or a request): the offer reached it. */
  answered: boolean;
}

export interface PublishOptions {
  url: string;
  prefix?: string;
  offer: Uint8Array;
  manifest: Manifest;
  image: Uint8Array;
  /** Devices expected to answer: the target device, or for a group the ones you know of (more may join). */
  expect?: string[];
  /** Give up on devices not finished after this long, ms. */
  timeoutMs?: number;
  /** For a group without `expect`: finish when no new device has shown up for this long and all known are done. */
  settleMs?: number;
  /** First delay before the offer is sent again to devices that have not answered; doubles up to `repeatMaxMs`. */
  repeatMs?: number;
  repeatMaxMs?: number;
  username?: string;
  password?: string;
  /** PEM TLS material (host/mqtt/connect.ts). */
  ca?: string;
  cert?: string;
  key?: string;
  onProgress?: (p: DeviceProgress) => void;
  /** Leave the retained offer in place at the end (tests of late joiners). */
  keepOffer?: boolean;
  /** Stop serving now: unfinished devices end 'aborted', the offer is cleared (unless keepOffer), the client ends. */
  signal?: AbortSignal;
  /** Timers and time (default: real). */
  clock?: Clock;
  /** Told each time the offer is (re)sent, with its number (1 for the first). */
  onOffer?: (n: number) => void;
}

export interface PublishResult {
  devices: Map<string, DeviceProgress>;
  ok: boolean;
  /** How many times the offer was sent. */
  offers: number;
}

const FINAL = new Set(['accepted', 'rejected', 'rolled-back']);

/** What a device's status says about a session (docs/ota-protocol.md, Status). */
interface StatusMsg {
  state?: string;
  kind?: string;
  version?: number;
  sha256?: string;
  session?: number;
  done?: number;
  reason?: string;
  busy?: { endsIn?: number };
}

/**
 * Which devices count towards the result: the targeted ones only. For a device offer, that device (and
 * `expect`); for a group offer, `expect` plus every device that requested a chunk of this session. A status from
 * anyone else (any client can publish on `<prefix>/<id>/ota/status`) is ignored, so it cannot hold `ok` false
 * until the timeout. For a device offer, only the target's chunk requests are served.
 *
 * A `busy` refusal is not the end: the device named when its current update ends at the latest, and the offer is
 * sent again then. The retained offer is cleared at the end (which cancels the update on a device still at it),
 * unless another offer has replaced it on the topic meanwhile (a newer publisher's: clearing would cancel that).
 */
export async function publishUpdate(o: PublishOptions): Promise<PublishResult> {
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  const clock = o.clock ?? new RealClock();
  const m = o.manifest;
  const total = Math.ceil(m.size / m.chunk);
  // Encoded once, shared by every device.
  const frames: Uint8Array[] = [];
  for (let i = 0; i < total; i++) frames.push(encodeFrame(m.session, i, o.image.subarray(i * m.chunk, Math.min(m.size, (i + 1) * m.chunk))));
  const isGroup = m.target.device === undefined;
  const offerTopic = !isGroup ? topicOf(prefix, m.target.device!, SUFFIX.otaOffer) : groupOtaOfferTopic(prefix, m.target.group!);
  const devices = new Map<string, DeviceProgress>();
  const expect = new Set(o.expect ?? (!isGroup ? [m.target.device!] : []));
  if (!isGroup) expect.add(m.target.device!);
  for (const id of expect) devices.set(id, blank(id, total));
  let offers = 0;
  if (o.signal?.aborted) return finish(devices, 'aborted', 'aborted before the offer was sent', offers);

  const client: MqttClient = await mqtt.connectAsync(o.url, { clean: true, reconnectPeriod: 500, ...mqttAuthOptions(o), clientId: `jw-ota-pub-${m.session.toString(16)}` });
  // Everything started from here on is stopped in the finally block, whatever throws.
  const timers = new Set<unknown>();
  const after = (ms: number, fn: () => void): unknown => {
    const h = clock.setTimer(ms, () => {
      timers.delete(h);
      fn();
    });
    timers.add(h);
    return h;
  };
  const cancel = (h: unknown) => {
    if (h === undefined) return;
    clock.clearTimer(h);
    timers.delete(h);
  };
  let onAbort: (() => void) | undefined;
  let offerSent = false;
  let replaced = false;
  let end = 'done' as 'done' | 'timeout' | 'aborted';
  let failure: Error | null = null;
  let lastNewDevice = clock.now();
  const ourOffer = Buffer.from(o.offer);
  try {
    const settled = new Promise<void>((resolve) => {
      let settleTimer: unknown;
      const check = () => {
        const all = [...devices.values()];
        if (!(all.length > 0 && all.every((d) => FINAL.has(d.state)))) return;
        if (expect.size > 0) return resolve();
        // A group without `expect`: wait until no new device has shown up for settleMs.
        const quietIn = lastNewDevice + (o.settleMs ?? 3000) - clock.now();
        if (quietIn <= 0) return resolve();
        cancel(settleTimer);
        settleTimer = after(quietIn, check);
      };
      const track = (id: string): DeviceProgress => {
        let d = devices.get(id);
        if (!d) {
          d = blank(id, total);
          devices.set(id, d);
          lastNewDevice = clock.now();
        }
        return d;
      };
      // Repeats: until every expected device (for a group without `expect`, one device) has answered.
      let repeatTimer: unknown;
      let delay = o.repeatMs ?? 1000;
      const unanswered = () => (expect.size > 0 ? [...expect].some((id) => !devices.get(id)!.answered) : ![...devices.values()].some((d) => d.answered));
      const sendOffer = () => {
        offers++;
        offerSent = true; // set before the publish: a failed publish may still have reached the broker
        client.publish(offerTopic, ourOffer, { qos: 1, retain: true });
        o.onOffer?.(offers);
      };
      const scheduleRepeat = (ms: number) => {
        cancel(repeatTimer);
        repeatTimer = after(ms, () => {
          repeatTimer = undefined;
          if (!unanswered() || replaced) return;
          sendOffer();
          delay = Math.min(delay * 2, o.repeatMaxMs ?? 30_000);
          scheduleRepeat(delay);
        });
      };
      after(o.timeoutMs ?? 600_000, () => ((end = 'timeout'), resolve()));
      onAbort = () => ((end = 'aborted'), resolve());
      o.signal?.addEventListener('abort', onAbort, { once: true });
      client.on('message', (topic, payload, packet) => {
        if (topic === offerTopic) {
          // Someone else's offer published on our topic after ours: a newer publisher took over; its retained offer
          // must stay. (A retained one delivered on subscribe is from before us: ours replaces it.)
          if (offerSent && !packet.retain && payload.length && !ourOffer.equals(payload)) replaced = true;
          return;
        }
        const parts = topic.split('/');
        const suffix = parts[2] + '/' + parts[3];
        if (parts.length !== 4 || (suffix !== SUFFIX.otaReq && suffix !== SUFFIX.otaStatus)) return;
        const id = parts[1]!;
        if (suffix === SUFFIX.otaReq) {
          const r = readRequest(payload);
          if (typeof r === 'string' || r.session !== m.session) return;
          // A device offer is served to its device only; a group offer to whoever asks (and they then count).
          if (!isGroup && !devices.has(id)) return;
          const d = track(id);
          d.answered = true;
          if (!d.firstRequestAt) d.firstRequestAt = clock.now();
          for (const [first, count] of r.ranges) {
            for (let i = first; i < first + count && i < total; i++) {
              client.publish(topicOf(prefix, id, SUFFIX.otaData), frames[i] as Buffer, { qos: 0 });
              d.framesSent++;
              d.bytesSent += frames[i]!.length - 16;
            }
          }
        } else {
          const d = devices.get(id);
          if (!d || FINAL.has(d.state)) return; // not a targeted device, or already final
          let s: StatusMsg;
          try {
            s = JSON.parse(payload.toString());
          } catch {
            return;
          }
          if (s === null || typeof s !== 'object') return;
          // The device already runs this very image (accepted under another session: a publisher restarted after
          // the end, or a re-run): done.
          if (s.session !== m.session && s.state === 'accepted' && s.kind === m.kind && s.version === m.version && s.sha256 === m.sha256) {
            Object.assign(d, { state: 'accepted', reason: 'already installed', answered: true, finishedAt: clock.now() });
            o.onProgress?.(d);
            return check();
          }
          if (s.session !== m.session) return;
          d.answered = true;
          d.reason = typeof s.reason === 'string' ? s.reason : '';
          if (typeof s.done === 'number') d.done = s.done;
          if (s.state === 'rejected' && s.busy) {
            // Busy with another update that ends by busy.endsIn: offer again then (not an answer to wait for).
            d.state = 'busy';
            d.answered = false;
            scheduleRepeat(Math.max(o.repeatMs ?? 1000, (Number(s.busy.endsIn) || 0) + 500));
          } else if (typeof s.state === 'string') d.state = s.state;
          if (FINAL.has(d.state)) d.finishedAt = clock.now();
          o.onProgress?.(d);
          check();
        }
      });
      client
        .subscribeAsync([anyIdFilter(prefix, SUFFIX.otaReq), anyIdFilter(prefix, SUFFIX.otaStatus), offerTopic], { qos: 1 })
        .then(() => {
          if (end !== 'done' || o.signal?.aborted) return resolve();
          sendOffer();
          scheduleRepeat(delay);
        })
        .catch((err) => {
          end = 'aborted';
          failure = err as Error;
          resolve();
        });
    });
    if (o.signal?.aborted) end = 'aborted';
    await settled;
    if (failure) throw failure;
  } finally {
    for (const h of timers) clock.clearTimer(h);
    timers.clear();
    if (onAbort) o.signal?.removeEventListener('abort', onAbort);
    try {
      if (offerSent && !o.keepOffer && !replaced && client.connected) await client.publishAsync(offerTopic, Buffer.alloc(0), { qos: 1, retain: true });
    } finally {
      await client.endAsync(true);
    }
  }
  if (end === 'timeout') return finish(devices, 'timeout', 'no final status before the timeout', offers);
  if (end === 'aborted') return finish(devices, 'aborted', 'the publisher was stopped', offers);
  return finish(devices, null, '', offers);
}

/** Marks unfinished devices (`state` null: none) and computes ok: every targeted device accepted. */
function finish(devices: Map<string, DeviceProgress>, state: FinalState | null, reason: string, offers: number): PublishResult {
  if (state) for (const d of devices.values()) if (!FINAL.has(d.state)) ((d.state = state), (d.reason = d.reason || reason));
  const ok = devices.size > 0 && [...devices.values()].every((d) => d.state === 'accepted');
  return { devices, ok, offers };
}

function blank(id: string, total: number): DeviceProgress {
  return { id, state: 'waiting', done: 0, total, reason: '', framesSent: 0, bytesSent: 0, firstRequestAt: 0, finishedAt: 0, answered: false };
}

export interface RetainedStatus extends StatusView {
  id: string;
  running?: unknown;
}

/**
 * Collects the retained OTA status of every device. Retained messages arrive right after the subscription; a marker
 * published by this client after it arrives after them (one connection, in order), so the wait ends on an event;
 * `waitMs` bounds it when the broker does not echo the marker.
 */
export async function readStatuses(url: string, prefix = DEFAULT_PREFIX, waitMs = 1000, auth: Omit<BrokerConnection, 'url'> = {}, clock: Clock = new RealClock()): Promise<RetainedStatus[]> {
  const client = await mqtt.connectAsync(url, { clean: true, reconnectPeriod: 0, ...mqttAuthOptions(auth) });
  const out = new Map<string, RetainedStatus>();
  const marker = echoTopic(prefix, `status-${Math.random().toString(16).slice(2)}`);
  let timer: unknown;
  try {
    const done = new Promise<void>((resolve) => {
      timer = clock.setTimer(waitMs, resolve);
      client.on('message', (topic, payload) => {
        if (topic === marker) return resolve();
        const id = topic.split('/')[1]!;
        try {
          const s = JSON.parse(payload.toString());
          out.set(id, { id, state: s.state, kind: s.kind ?? '', version: s.version ?? 0, done: s.done ?? 0, total: s.total ?? 0, reason: s.reason ?? '', running: s.running });
        } catch {
          out.set(id, { id, state: 'unreadable', kind: '', version: 0, done: 0, total: 0, reason: payload.toString().slice(0, 60) });
        }
      });
    });
    await client.subscribeAsync([anyIdFilter(prefix, SUFFIX.otaStatus), marker], { qos: 1 });
    await client.publishAsync(marker, 'x', { qos: 1 });
    await done;
  } finally {
    clock.clearTimer(timer);
    await client.endAsync();
  }
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
}
