/**
 * How host tools reach a broker: one typed options object (URL, credentials, TLS material as PEM text), turned
 * into mqtt.js options in one place. The CLI fills it from the shared flags (host/cli/connection.ts); library
 * code takes it as is and never sees a flag or a file name.
 */
import type { IClientOptions } from 'mqtt';

export interface BrokerConnection {
  /** mqtt://host:port, mqtts://host:port, ws:// or wss://. */
  url: string;
  username?: string;
  /** Never logged, never printed. */
  password?: string;
  /** PEM: the CA that signed the broker's certificate (mqtts). */
  ca?: string;
  /** PEM: client certificate for mutual TLS. */
  cert?: string;
  /** PEM: client key for mutual TLS. Never logged. */
  key?: string;
}

/** The auth and TLS part of mqtt.js client options (url excluded; callers add clientId, clean, timeouts...). */
export function mqttAuthOptions(c: Omit<BrokerConnection, 'url'>): Pick<IClientOptions, 'username' | 'password' | 'ca' | 'cert' | 'key'> {
  const o: Pick<IClientOptions, 'username' | 'password' | 'ca' | 'cert' | 'key'> = {};
  if (c.username) o.username = c.username;
  if (c.password !== undefined) o.password = c.password;
  if (c.ca) o.ca = c.ca;
  if (c.cert) o.cert = c.cert;
  if (c.key) o.key = c.key;
  return o;
}
