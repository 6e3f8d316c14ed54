/** The LED command the dashboard's buttons publish: the same JSON, topic and QoS as `jerrywatt led`. */
export type LedAction = 'on' | 'off' | 'toggle';

export function ledTopic(prefix: string, device: string | 'all'): string {
  return `${prefix}/${device}/led/set`;
}

export function ledPayload(state: LedAction, id: string): string {
  return JSON.stringify({ state, id });
}
