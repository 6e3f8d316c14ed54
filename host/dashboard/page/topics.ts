/**
 * Which kind of message a topic carries, for the topics the dashboard shows. The layout is device/topics.ts's,
 * bundled into the page (the same module, not a copy), and ids follow device/ids.ts.
 */
import { DISPLAY_SUFFIXES, FLEET_ID, GROUP_LEVEL, SUFFIX, anyIdFilter } from '../../../device/topics.ts';
import { isValidId } from '../../../device/ids.ts';

export type TopicKind = 'status' | 'health' | 'led/state' | 'error' | 'anomaly' | 'ota/status' | 'modbus' | 'ignored';

/** What the page shows, by topic suffix. */
const SHOWN: Record<string, TopicKind> = {
  [SUFFIX.status]: 'status',
  [SUFFIX.health]: 'health',
  [SUFFIX.ledState]: 'led/state',
  [SUFFIX.error]: 'error',
  [SUFFIX.anomaly]: 'anomaly',
  [SUFFIX.otaStatus]: 'ota/status',
  [SUFFIX.modbus]: 'modbus',
};
/** Topics the page may see under the prefix but does not show (commands, OTA traffic). */
const IGNORED: string[] = [SUFFIX.ledSet, SUFFIX.otaOffer, SUFFIX.otaData, SUFFIX.otaReq];

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
  const suffix = rest.slice(slash + 1);
  if (id === GROUP_LEVEL || id === FLEET_ID) return { kind: 'ignored', id };
  if (!isValidId(SHOWN[suffix] === 'modbus' ? 'meter' : 'device', id)) return null;
  const kind = SHOWN[suffix];
  if (kind) return { kind, id };
  if (IGNORED.includes(suffix)) return { kind: 'ignored', id };
  return null;
}

/** The subscriptions that cover every topic the page shows (a viewer's broker ACL grants exactly these). */
export function dashboardSubscriptions(prefix: string): string[] {
  return DISPLAY_SUFFIXES.map((s) => anyIdFilter(prefix, s));
}
