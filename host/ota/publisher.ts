/**
 * The OTA publisher: puts a signed offer on the device (or group) topic and serves every device's chunk requests
 * from one copy of the encoded frames. It keeps no per-device transfer state beyond progress for display: each
 * device pulls at its own pace, so a slow or dead device never holds the others back.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { encodeFrame, readRequest } from '../../device/ota/frame.ts';
import type { Manifest } from '../../device/ota/manifest.ts';
import { mqttAuthOptions, type BrokerConnection } from '../mqtt/connect.ts';
import { DEFAULT_PREFIX, SUFFIX, anyIdFilter, groupOtaOfferTopic, topicOf } from '../../device/topics.ts';

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
}

export interface PublishResult {
  devices: Map<string, DeviceProgress>;
  ok: boolean;
}

const FINAL = new Set(['accepted', 'rejected', 'rolled-back']);

/**
 * Which devices count towards the result: the targeted ones only. For a device offer, that device (and
 * `expect`); for a group offer, `expect` plus every device that requested a chunk of this session. A status from
 * anyone else (any client can publish on `<prefix>/<id>/ota/status`) is ignored, so it cannot hold `ok` false
 * until the timeout. For a device offer, only the target's chunk requests are served.
 */
export async function publishUpdate(o: PublishOptions): Promise<PublishResult> {
  const prefix = o.prefix ?? DEFAULT_PREFIX;
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
  let lastNewDevice = Date.now();
  const track = (id: string): DeviceProgress => {
    let d = devices.get(id);
    if (!d) {
      d = blank(id, total);
      devices.set(id, d);
      lastNewDevice = Date.now();
    }
    return d;
  };
  if (o.signal?.aborted) return finish(devices, 'aborted', 'aborted before the offer was sent');

  const client: MqttClient = await mqtt.connectAsync(o.url, { clean: true, reconnectPeriod: 500, ...mqttAuthOptions(o), clientId: `jw-ota-pub-${m.session.toString(16)}` });
  // Everything started from here on is stopped in the finally block, whatever throws.
  let timer: NodeJS.Timeout | undefined;
  let timeout: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  let offerSent = false;
  let end = 'done' as 'done' | 'timeout' | 'aborted';
  try {
    const settled = new Promise<void>((resolve) => {
      const check = () => {
        const all = [...devices.values()];
        const finished = all.length > 0 && all.every((d) => FINAL.has(d.state));
        const quiet = expect.size > 0 || Date.now() - lastNewDevice >= (o.settleMs ?? 3000);
        if (finished && quiet) resolve();
      };
      timer = setInterval(check, 100);
      timeout = setTimeout(() => ((end = 'timeout'), resolve()), o.timeoutMs ?? 600_000);
      onAbort = () => ((end = 'aborted'), resolve());
      o.signal?.addEventListener('abort', onAbort, { once: true });
      client.on('message', (topic, payload) => {
        const parts = topic.split('/');
        if (parts.length !== 4 || parts[2] + '/' + parts[3] !== SUFFIX.otaReq && parts[2] + '/' + parts[3] !== SUFFIX.otaStatus) return;
        const id = parts[1]!;
        if (parts[2] + '/' + parts[3] === SUFFIX.otaReq) {
          const r = readRequest(payload);
          if (typeof r === 'string' || r.session !== m.session) return;
          // A device offer is served to its device only; a group offer to whoever asks (and they then count).
          if (!isGroup && !devices.has(id)) return;
          const d = track(id);
          if (!d.firstRequestAt) d.firstRequestAt = Date.now();
          for (const [first, count] of r.ranges) {
            for (let i = first; i < first + count && i < total; i++) {
              client.publish(topicOf(prefix, id, SUFFIX.otaData), frames[i] as Buffer, { qos: 0 });
              d.framesSent++;
              d.bytesSent += frames[i]!.length - 16;
            }
          }
        } else if (parts[3] === 'status') {
          const d = devices.get(id);
          if (!d || FINAL.has(d.state)) return; // not a targeted device, or already final
          let s: { state?: string; session?: number; done?: number; total?: number; reason?: string };
          try {
            s = JSON.parse(payload.toString());
          } catch {
            return;
          }
          if (s === null || typeof s !== 'object' || s.session !== m.session) return;
          if (typeof s.state === 'string') d.state = s.state;
          if (typeof s.done === 'number') d.done = s.done;
          d.reason = typeof s.reason === 'string' ? s.reason : '';
          if (FINAL.has(d.state)) d.finishedAt = Date.now();
          o.onProgress?.(d);
          check();
        }
      });
    });
    if (o.signal?.aborted) end = 'aborted';
    else {
      await client.subscribeAsync([anyIdFilter(prefix, SUFFIX.otaReq), anyIdFilter(prefix, SUFFIX.otaStatus)], { qos: 1 });
      offerSent = true; // set before the publish: a failed publish may still have reached the broker
      await client.publishAsync(offerTopic, Buffer.from(o.offer), { qos: 1, retain: true });
      await settled;
    }
  } finally {
    clearInterval(timer);
    clearTimeout(timeout);
    if (onAbort) o.signal?.removeEventListener('abort', onAbort);
    try {
      if (offerSent && !o.keepOffer && client.connected) await client.publishAsync(offerTopic, Buffer.alloc(0), { qos: 1, retain: true });
    } finally {
      await client.endAsync(true);
    }
  }
  if (end === 'timeout') return finish(devices, 'timeout', 'no final status before the timeout');
  if (end === 'aborted') return finish(devices, 'aborted', 'the publisher was stopped');
  return finish(devices, null, '');
}

/** Marks unfinished devices (`state` null: none) and computes ok: every targeted device accepted. */
function finish(devices: Map<string, DeviceProgress>, state: FinalState | null, reason: string): PublishResult {
  if (state) for (const d of devices.values()) if (!FINAL.has(d.state)) ((d.state = state), (d.reason = d.reason || reason));
  const ok = devices.size > 0 && [...devices.values()].every((d) => d.state === 'accepted');
  return { devices, ok };
}

function blank(id: string, total: number): DeviceProgress {
  return { id, state: 'waiting', done: 0, total, reason: '', framesSent: 0, bytesSent: 0, firstRequestAt: 0, finishedAt: 0 };
}

export interface RetainedStatus {
  id: string;
  state: string;
  kind: string;
  version: number;
  done: number;
  total: number;
  reason: string;
  running?: unknown;
}

/** Collects the retained OTA status of every device for `waitMs` (retained messages arrive right after subscribing). */
export async function readStatuses(url: string, prefix = DEFAULT_PREFIX, waitMs = 1000, auth: Omit<BrokerConnection, 'url'> = {}): Promise<RetainedStatus[]> {
  const client = await mqtt.connectAsync(url, { clean: true, reconnectPeriod: 0, ...mqttAuthOptions(auth) });
  const out = new Map<string, RetainedStatus>();
  client.on('message', (topic, payload) => {
    const id = topic.split('/')[1]!;
    try {
      const s = JSON.parse(payload.toString());
      out.set(id, { id, state: s.state, kind: s.kind ?? '', version: s.version ?? 0, done: s.done ?? 0, total: s.total ?? 0, reason: s.reason ?? '', running: s.running });
    } catch {
      out.set(id, { id, state: 'unreadable', kind: '', version: 0, done: 0, total: 0, reason: payload.toString().slice(0, 60) });
    }
  });
  await client.subscribeAsync(anyIdFilter(prefix, SUFFIX.otaStatus), { qos: 1 });
  await new Promise((r) => setTimeout(r, waitMs));
  await client.endAsync();
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
}
