/**
 * The OTA publisher: puts a signed offer on the device (or group) topic and serves every device's chunk requests
 * from one copy of the encoded frames. It keeps no per-device transfer state beyond progress for display: each
 * device pulls at its own pace, so a slow or dead device never holds the others back.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { encodeFrame, readRequest } from '../../device/ota/frame.ts';
import type { Manifest } from '../../device/ota/manifest.ts';

export type FinalState = 'accepted' | 'rejected' | 'rolled-back' | 'timeout';

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
  onProgress?: (p: DeviceProgress) => void;
  /** Leave the retained offer in place at the end (tests of late joiners). */
  keepOffer?: boolean;
}

export interface PublishResult {
  devices: Map<string, DeviceProgress>;
  ok: boolean;
}

const FINAL = new Set(['accepted', 'rejected', 'rolled-back']);

export async function publishUpdate(o: PublishOptions): Promise<PublishResult> {
  const prefix = o.prefix ?? 'esp';
  const m = o.manifest;
  const total = Math.ceil(m.size / m.chunk);
  // Encoded once, shared by every device.
  const frames: Uint8Array[] = [];
  for (let i = 0; i < total; i++) frames.push(encodeFrame(m.session, i, o.image.subarray(i * m.chunk, Math.min(m.size, (i + 1) * m.chunk))));
  const offerTopic = m.target.device !== undefined ? `${prefix}/${m.target.device}/ota/offer` : `${prefix}/group/${m.target.group}/ota/offer`;
  const devices = new Map<string, DeviceProgress>();
  const expect = new Set(o.expect ?? (m.target.device !== undefined ? [m.target.device] : []));
  for (const id of expect) devices.set(id, blank(id, total));
  let lastNewDevice = Date.now();

  const client: MqttClient = await mqtt.connectAsync(o.url, { clean: true, reconnectPeriod: 500, username: o.username, password: o.password, clientId: `jw-ota-pub-${m.session.toString(16)}` });
  const done = new Promise<void>((resolve) => {
    const check = () => {
      const all = [...devices.values()];
      const finished = all.length > 0 && all.every((d) => FINAL.has(d.state));
      const settled = expect.size > 0 || Date.now() - lastNewDevice >= (o.settleMs ?? 3000);
      if (finished && settled && [...expect].every((id) => devices.has(id))) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(check, 100);
    client.on('message', (topic, payload) => {
      const parts = topic.split('/');
      if (parts.length !== 4 || parts[2] !== 'ota') return;
      const id = parts[1]!;
      if (parts[3] === 'req') {
        const r = readRequest(payload);
        if (typeof r === 'string' || r.session !== m.session) return;
        const d = device(id);
        if (!d.firstRequestAt) d.firstRequestAt = Date.now();
        for (const [first, count] of r.ranges) {
          for (let i = first; i < first + count && i < total; i++) {
            client.publish(`${prefix}/${id}/ota/data`, frames[i] as Buffer, { qos: 0 });
            d.framesSent++;
            d.bytesSent += frames[i]!.length - 16;
          }
        }
      } else if (parts[3] === 'status') {
        let s: { state?: string; session?: number; done?: number; total?: number; reason?: string; kind?: string; version?: number };
        try {
          s = JSON.parse(payload.toString());
        } catch {
          return;
        }
        if (s.session !== m.session) return;
        const d = device(id);
        if (FINAL.has(d.state)) return;
        d.state = s.state ?? d.state;
        d.done = s.done ?? d.done;
        d.reason = s.reason ?? '';
        if (FINAL.has(d.state)) d.finishedAt = Date.now();
        o.onProgress?.(d);
        check();
      }
    });
    client.once('end', () => clearInterval(timer));
  });
  const device = (id: string): DeviceProgress => {
    let d = devices.get(id);
    if (!d) {
      d = blank(id, total);
      devices.set(id, d);
      lastNewDevice = Date.now();
    }
    return d;
  };

  await client.subscribeAsync([`${prefix}/+/ota/req`, `${prefix}/+/ota/status`], { qos: 1 });
  await client.publishAsync(offerTopic, Buffer.from(o.offer), { qos: 1, retain: true });
  let timedOut = false;
  let timeout: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((resolve) => (timeout = setTimeout(() => ((timedOut = true), resolve()), o.timeoutMs ?? 600_000)))]);
  clearTimeout(timeout);
  if (timedOut) {
    for (const d of devices.values()) if (!FINAL.has(d.state)) ((d.state = 'timeout'), (d.reason = d.reason || 'no final status before the timeout'));
  }
  if (!o.keepOffer) await client.publishAsync(offerTopic, Buffer.alloc(0), { qos: 1, retain: true });
  await client.endAsync();
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
export async function readStatuses(url: string, prefix = 'esp', waitMs = 1000, auth: { username?: string; password?: string } = {}): Promise<RetainedStatus[]> {
  const client = await mqtt.connectAsync(url, { clean: true, reconnectPeriod: 0, ...auth });
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
  await client.subscribeAsync(`${prefix}/+/ota/status`, { qos: 1 });
  await new Promise((r) => setTimeout(r, waitMs));
  await client.endAsync();
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
}
