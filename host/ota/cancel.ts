/**
 * Cancels an OTA update: clears the retained offer on the device's (or group's) offer topic, which a device treats
 * as a cancel of the update that offer started (docs/ota-protocol.md, Sessions), and, for one device, waits for its
 * status to say so. Time comes from `clock` (no sleeps).
 */
import mqtt from 'mqtt';
import { RealClock, type Clock } from '../sim/clock.ts';
import { mqttAuthOptions, type BrokerConnection } from '../mqtt/connect.ts';
import { DEFAULT_PREFIX, SUFFIX, echoTopic, groupOtaOfferTopic, topicOf } from '../../device/topics.ts';

export interface CancelOptions {
  /** The broker, credentials and TLS material. */
  connection: BrokerConnection;
  prefix?: string;
  target: { device: string } | { group: string };
  /** How long to wait for the device's answer, ms. */
  timeoutMs?: number;
  clock?: Clock;
}

export interface CancelResult {
  /** cancelled: the device ended its update; idle: nothing was in progress; probation: past its boot switch (the
   * probation decides, within `endsIn`); cleared: a group offer was cleared; timeout: no answer. */
  outcome: 'cancelled' | 'idle' | 'probation' | 'cleared' | 'timeout';
  /** The device's status when it answered (or the last one seen). */
  status: { state?: string; kind?: string; version?: number; session?: number; reason?: string; endsIn?: number } | null;
}

const IN_PROGRESS = new Set(['offered', 'downloading', 'verifying']);

export async function cancelUpdate(o: CancelOptions): Promise<CancelResult> {
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  const clock = o.clock ?? new RealClock();
  const isGroup = !('device' in o.target);
  const offerTopic = 'device' in o.target ? topicOf(prefix, o.target.device, SUFFIX.otaOffer) : groupOtaOfferTopic(prefix, o.target.group);
  const client = await mqtt.connectAsync(o.connection.url, { clean: true, reconnectPeriod: 0, ...mqttAuthOptions(o.connection) });
  let timer: unknown;
  try {
    if (isGroup) {
      await client.publishAsync(offerTopic, Buffer.alloc(0), { qos: 1, retain: true });
      return { outcome: 'cleared', status: null };
    }
    const statusTopic = topicOf(prefix, (o.target as { device: string }).device, SUFFIX.otaStatus);
    const marker = echoTopic(prefix, `cancel-${Math.random().toString(16).slice(2)}`);
    let current: CancelResult['status'] = null;
    let phase: 'retained' | 'waiting' = 'retained';
    let resolveDone: (r: CancelResult) => void = () => {};
    let resolveRetained: () => void = () => {};
    const retained = new Promise<void>((r) => (resolveRetained = r));
    const done = new Promise<CancelResult>((r) => (resolveDone = r));
    timer = clock.setTimer(o.timeoutMs ?? 5000, () => {
      resolveRetained();
      resolveDone({ outcome: 'timeout', status: current });
    });
    client.on('message', (topic, payload) => {
      if (topic === marker) return resolveRetained();
      let s: CancelResult['status'];
      try {
        s = JSON.parse(payload.toString());
      } catch {
        return;
      }
      if (!s || typeof s !== 'object') return;
      if (phase === 'retained') return void (current = s);
      if (current && s.session === current.session && s.state === 'rejected' && /cancelled/.test(s.reason ?? '')) resolveDone({ outcome: 'cancelled', status: s });
    });
    await client.subscribeAsync([statusTopic, marker], { qos: 1 });
    await client.publishAsync(marker, 'x', { qos: 1 });
    await retained;
    phase = 'waiting';
    await client.publishAsync(offerTopic, Buffer.alloc(0), { qos: 1, retain: true });
    const state = (current as CancelResult['status'])?.state ?? '';
    if (state === 'pending-verify') return { outcome: 'probation', status: current };
    if (!IN_PROGRESS.has(state)) return { outcome: 'idle', status: current };
    return await done;
  } finally {
    clock.clearTimer(timer);
    await client.endAsync(true);
  }
}
