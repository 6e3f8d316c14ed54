/**
 * Every MQTT topic of the fleet, defined once: the device app, the OTA publisher, the collector, the LED sender,
 * the ACL (host/security/acl.ts) and the dashboard build their topics here. Pure string functions and small
 * constants only: this file is part of the device bundle (JerryScript static snapshot), so no RegExp, no Node.
 *
 * Layout: `<prefix>/<id>/<suffix>`, where `<id>` is a device id, a meter id (meter readings), `all` (the fleet
 * topic) or, for group OTA offers, `<prefix>/group/<group>/ota/offer`.
 */

/** The default first level (the `topicPrefix` setting). */
export const DEFAULT_PREFIX = 'esp';
/** The id level of fleet-wide commands (`<prefix>/all/led/set`): never a device id. */
export const FLEET_ID = 'all';
/** The id level under which group OTA offers live (`<prefix>/group/<group>/ota/offer`): never a device id. */
export const GROUP_LEVEL = 'group';

/**
 * The level of echo topics (`<prefix>/jw-echo/<token>`): a host tool subscribes to one and publishes to it, and
 * when its own message comes back, the broker has sent it everything before (retained statuses). Never a device id.
 */
export const ECHO_LEVEL = 'jw-echo';

/** The level(s) after `<prefix>/<id>/` of each per-device topic. */
export const SUFFIX = {
  /** device -> retained birth / last will. */
  status: 'status',
  /** operator -> device LED command. */
  ledSet: 'led/set',
  /** device -> retained LED state. */
  ledState: 'led/state',
  /** device -> periodic health. */
  health: 'health',
  /** device -> rate-limited error reports. */
  error: 'error',
  /** device -> anomaly events of the meters it watches. */
  anomaly: 'anomaly',
  /** operator -> device signed OTA offer. */
  otaOffer: 'ota/offer',
  /** operator -> device OTA chunk frames. */
  otaData: 'ota/data',
  /** device -> operator chunk requests. */
  otaReq: 'ota/req',
  /** device -> operator OTA status (retained when final). */
  otaStatus: 'ota/status',
  /** gateway -> devices: one meter's Modbus register reading (the id level is a meter id). */
  modbus: 'modbus',
} as const;

/**
 * What a read-only observer reads (the dashboard, a viewer's ACL): device state, health, errors, anomalies, OTA
 * status and meter readings; not commands and not OTA traffic.
 */
export const DISPLAY_SUFFIXES: string[] = [SUFFIX.status, SUFFIX.health, SUFFIX.ledState, SUFFIX.error, SUFFIX.anomaly, SUFFIX.otaStatus, SUFFIX.modbus];

export type TopicSuffix = (typeof SUFFIX)[keyof typeof SUFFIX];

/** `<prefix>/<id>/<suffix>`. */
export function topicOf(prefix: string, id: string, suffix: string): string {
  return prefix + '/' + id + '/' + suffix;
}

/** `<prefix>/+/<suffix>`: the same topic of every device (or every meter). For host subscriptions. */
export function anyIdFilter(prefix: string, suffix: string): string {
  return prefix + '/+/' + suffix;
}

/** The fleet LED command topic: `<prefix>/all/led/set`. */
export function fleetLedSetTopic(prefix: string): string {
  return topicOf(prefix, FLEET_ID, SUFFIX.ledSet);
}

/** A group's OTA offer topic: `<prefix>/group/<group>/ota/offer`. */
export function groupOtaOfferTopic(prefix: string, group: string): string {
  return prefix + '/' + GROUP_LEVEL + '/' + group + '/' + SUFFIX.otaOffer;
}

/** An echo topic (see ECHO_LEVEL): `<prefix>/jw-echo/<token>`. */
export function echoTopic(prefix: string, token: string): string {
  return prefix + '/' + ECHO_LEVEL + '/' + token;
}

/** A meter's readings: `<prefix>/<meter>/modbus`. */
export function meterTopic(prefix: string, meter: string): string {
  return topicOf(prefix, meter, SUFFIX.modbus);
}

/** Every topic one device uses, built once from the prefix, its id and its group. */
export interface Topics {
  status: string;
  ledSet: string;
  fleetLedSet: string;
  ledState: string;
  health: string;
  error: string;
  anomaly: string;
  otaOffer: string;
  otaData: string;
  otaReq: string;
  otaStatus: string;
  /** Empty when the device is in no group. */
  otaGroupOffer: string;
}

export function makeTopics(prefix: string, deviceId: string, group = ''): Topics {
  return {
    status: topicOf(prefix, deviceId, SUFFIX.status),
    ledSet: topicOf(prefix, deviceId, SUFFIX.ledSet),
    fleetLedSet: fleetLedSetTopic(prefix),
    ledState: topicOf(prefix, deviceId, SUFFIX.ledState),
    health: topicOf(prefix, deviceId, SUFFIX.health),
    error: topicOf(prefix, deviceId, SUFFIX.error),
    anomaly: topicOf(prefix, deviceId, SUFFIX.anomaly),
    otaOffer: topicOf(prefix, deviceId, SUFFIX.otaOffer),
    otaData: topicOf(prefix, deviceId, SUFFIX.otaData),
    otaReq: topicOf(prefix, deviceId, SUFFIX.otaReq),
    otaStatus: topicOf(prefix, deviceId, SUFFIX.otaStatus),
    otaGroupOffer: group ? groupOtaOfferTopic(prefix, group) : '',
  };
}
