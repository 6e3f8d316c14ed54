/**
 * Which kind of message a topic carries, for the topics the dashboard shows. Device topics are
 * `<prefix>/<id>/<kind>` as device/topics.ts builds them; meter readings are `<prefix>/<meter>/modbus`.
 */
export type TopicKind = 'status' | 'health' | 'led/state' | 'error' | 'anomaly' | 'ota/status' | 'modbus' | 'ignored';

const DEVICE_KINDS: TopicKind[] = ['status', 'health', 'led/state', 'error', 'anomaly', 'ota/status', 'modbus'];
/** Topics the page sees under the prefix but does not show (commands, OTA traffic). */
const IGNORED = ['led/set', 'ota/offer', 'ota/data', 'ota/req', 'ota/cancel'];

export interface TopicClass {
  kind: TopicKind;
  id: string;
}

/** null: not a topic the page understands. */
export function classifyTopic(prefix: string, topic: string): TopicClass | null {
  if (!topic.startsWith(prefix + '/')) return null;
  const rest = topic.slice(prefix.length + 1);
  const slash = rest.indexOf('/');
  if (slash <= 0) return null;
  const id = rest.slice(0, slash);
  const kind = rest.slice(slash + 1);
  if (id === 'group' || id === 'all') return { kind: 'ignored', id };
  if (!validId(id)) return null;
  if ((DEVICE_KINDS as string[]).includes(kind)) return { kind: kind as TopicKind, id };
  if (IGNORED.includes(kind)) return { kind: 'ignored', id };
  return null;
}

/** Letters, digits, '-' and '_', 1..64 characters. */
export function validId(id: string): boolean {
  if (id.length < 1 || id.length > 64) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95;
    if (!ok) return false;
  }
  return true;
}

/** The subscriptions that cover every topic the page shows. */
export function dashboardSubscriptions(prefix: string): string[] {
  return ['status', 'health', 'led/state', 'error', 'anomaly', 'ota/status', 'modbus'].map((k) => `${prefix}/+/${k}`);
}
