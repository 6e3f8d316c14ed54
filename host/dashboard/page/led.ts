/** The LED command the dashboard's buttons publish: the same JSON, topic and QoS as `jerrywatt led`. */
import { SUFFIX, topicOf } from '../../../device/topics.ts';

export type LedAction = 'on' | 'off' | 'toggle';

export function ledTopic(prefix: string, device: string | 'all'): string {
  return topicOf(prefix, device, SUFFIX.ledSet);
}

export function ledPayload(state: LedAction, id: string): string {
  return JSON.stringify({ state, id });
}
