/** The LED command the dashboard's buttons publish: the same JSON, topic and QoS as `jerrywatt led`. */
import { SUFFIX, topicOf } from '../../../device/topics.ts';

export type LedAction = 'on' | 'off' | 'toggle';

/** A device's command topic, or the fleet's for `all` (device/topics.ts). */
export function ledTopic(prefix: string, device: string): string {
  return topicOf(prefix, device, SUFFIX.ledSet);
}

/**
 * `from` (the MQTT username, or this page's own id) and `seq` (above the last it sent) make the device apply the
 * command exactly once and in order (device/led/senders.ts).
 */
export function ledPayload(state: LedAction, id: string, from: string, seq: number): string {
  return JSON.stringify({ state, id, from, seq });
}

/** The next sequence number of a sender: above the last, and never below the clock (a reloaded page). */
export function nextSeq(last: number, now: number): number {
  return Math.max(last + 1, now);
}
