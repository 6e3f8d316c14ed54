/** The LED command the dashboard's buttons publish: the same JSON, topic and QoS as `jerrywatt led`. */
export type LedAction = 'on' | 'off' | 'toggle';

export function ledTopic(prefix: string, device: string | 'all'): string {
  return `${prefix}/${device}/led/set`;
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
