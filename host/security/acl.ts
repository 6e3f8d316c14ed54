/**
 * The fleet's access-control model, stated once. Both brokers are driven from it: the embedded aedes broker
 * asks `canPublish`/`canSubscribe` on every packet (host/security/policy.ts), and `mosquittoAcl` writes the
 * same grants as a mosquitto ACL file (host/security/mosquitto.ts). Topics come from device/topics.ts.
 *
 * - A device publishes only on its own topics (status, led/state, health, error, anomaly, ota/req, ota/status)
 *   and subscribes only to its own command and OTA topics, the fleet topic, its group's offers and its meters.
 * - A gateway publishes only its own meters' readings.
 * - Only operators publish commands and OTA. Viewers read what the dashboard shows (device/topics.ts
 *   DISPLAY_SUFFIXES), not commands or OTA traffic, so the dashboard can tell them from operators by a refused
 *   subscription; collectors read telemetry.
 */
import { DISPLAY_SUFFIXES, ECHO_LEVEL, FLEET_ID, GROUP_LEVEL, SUFFIX, anyIdFilter, echoTopic, groupOtaOfferTopic, makeTopics, meterTopic } from '../../device/topics.ts';

export const ROLES = ['device', 'operator', 'viewer', 'collector', 'gateway'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_HELP: Record<Role, string> = {
  device: 'a board: publishes its own state, reads its own commands, OTA, the fleet topic and its meters',
  operator: 'commands LEDs and publishes OTA; reads everything',
  viewer: 'reads what the dashboard shows (state, health, errors, anomalies, OTA status, meters); no commands, no OTA traffic',
  collector: 'reads telemetry: meter readings, health, anomalies, status',
  gateway: 'publishes its own meters\' readings',
};

export interface Identity {
  /** Username, certificate CN and, for a device, its device id. */
  name: string;
  role: Role;
  /** device: its OTA group. */
  group?: string;
  /** device: the meters it watches; gateway: the meters it publishes. */
  meters?: string[];
}

/** One permission: a topic filter and what may be done on it. */
export interface Grant {
  filter: string;
  publish: boolean;
  /** May publish with the retain flag (implies publish). */
  retain: boolean;
  subscribe: boolean;
}

const pub = (filter: string, retain = false): Grant => ({ filter, publish: true, retain, subscribe: false });
const sub = (filter: string): Grant => ({ filter, publish: false, retain: false, subscribe: true });
/** Host tools' echo topics (device/topics.ts ECHO_LEVEL): publish and read, nothing acts on them. */
const echo = (prefix: string): Grant => ({ filter: echoTopic(prefix, '+'), publish: true, retain: false, subscribe: true });

/** Every grant of one identity under `prefix`. */
export function grantsOf(id: Identity, prefix: string): Grant[] {
  switch (id.role) {
    case 'device': {
      const t = makeTopics(prefix, id.name, id.group ?? '');
      const g = [
        pub(t.status, true),
        pub(t.ledState, true),
        pub(t.otaStatus, true),
        pub(t.health),
        pub(t.error),
        pub(t.anomaly),
        pub(t.otaReq),
        sub(t.ledSet),
        sub(t.fleetLedSet),
        sub(t.otaOffer),
        sub(t.otaData),
      ];
      if (t.otaGroupOffer) g.push(sub(t.otaGroupOffer));
      for (const m of id.meters ?? []) g.push(sub(meterTopic(prefix, m)));
      return g;
    }
    case 'gateway':
      return (id.meters ?? []).map((m) => pub(meterTopic(prefix, m)));
    case 'operator':
      return [
        pub(anyIdFilter(prefix, SUFFIX.ledSet)),
        pub(anyIdFilter(prefix, SUFFIX.otaOffer), true),
        pub(groupOtaOfferTopic(prefix, '+'), true),
        pub(anyIdFilter(prefix, SUFFIX.otaData)),
        echo(prefix),
        sub(`${prefix}/#`),
      ];
    case 'viewer':
      return [...DISPLAY_SUFFIXES.map((s) => sub(anyIdFilter(prefix, s))), echo(prefix)];
    case 'collector':
      return [...[SUFFIX.modbus, SUFFIX.health, SUFFIX.anomaly, SUFFIX.status].map((s) => sub(anyIdFilter(prefix, s))), echo(prefix)];
  }
}

/** Names that are topic levels of their own and can never be an identity's name. */
export const RESERVED_NAMES: readonly string[] = [FLEET_ID, GROUP_LEVEL, ECHO_LEVEL];

/** MQTT topic-filter match: `+` one level, `#` the rest (also the parent level, as MQTT says). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when every topic `inner` matches is also matched by `outer` (so a subscription to `inner` is covered). */
export function filterCovers(outer: string, inner: string): boolean {
  const o = outer.split('/');
  const n = inner.split('/');
  for (let i = 0; i < o.length; i++) {
    if (o[i] === '#') return i === o.length - 1;
    if (i >= n.length) return false;
    if (n[i] === '#') return false;
    if (o[i] === '+') continue;
    if (n[i] === '+' || o[i] !== n[i]) return false;
  }
  return o.length === n.length;
}

const isTopicName = (t: string) => t.length > 0 && t.indexOf('+') < 0 && t.indexOf('#') < 0 && t.indexOf('\u0000') < 0 && t[0] !== '$';
const isFilter = (f: string) => f.length > 0 && f.indexOf('\u0000') < 0 && f[0] !== '$';

export function canPublish(grants: readonly Grant[], topic: string, retain: boolean): boolean {
  if (!isTopicName(topic)) return false;
  return grants.some((g) => g.publish && (!retain || g.retain) && topicMatches(g.filter, topic));
}

export function canSubscribe(grants: readonly Grant[], filter: string): boolean {
  if (!isFilter(filter)) return false;
  return grants.some((g) => g.subscribe && filterCovers(g.filter, filter));
}

/**
 * The grants as a mosquitto ACL file (`acl_file`). mosquitto's file has no retain permission: where the model
 * allows publish but not retain, mosquitto allows both (the embedded broker refuses the retain flag there).
 */
export function mosquittoAcl(identities: readonly Identity[], prefix: string): string {
  const out = ['# jerrywatt fleet ACL, generated from host/security/acl.ts by `jerrywatt broker-config`. Do not edit.', ''];
  for (const id of identities) {
    out.push(`# ${id.role}`, `user ${id.name}`);
    for (const g of grantsOf(id, prefix)) {
      const access = g.publish && g.subscribe ? 'readwrite' : g.publish ? 'write' : 'read';
      out.push(`topic ${access} ${g.filter}`);
    }
    out.push('');
  }
  return out.join('\n');
}
