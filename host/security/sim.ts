/**
 * What `jerrywatt sim` needs of the fleet: a secured embedded broker (TLS with a server certificate from the
 * fleet CA, the fleet policy) and each simulated device's provisioned settings; and the device settings that
 * carry a connection's credentials to a broker given with --broker.
 */
import { existsSync, readFileSync } from 'node:fs';
import { issueCert } from './ca.ts';
import { fleetPaths, identityDir, type DeviceSettingsFile } from './fleet.ts';
import { fleetPolicy, type BrokerPolicy } from './policy.ts';
import type { BrokerConnection } from '../mqtt/connect.ts';
import type { SettingName } from '../../device/settings/keys.ts';
import { join } from 'node:path';

export class SimSecurityError extends Error {}

/** TLS material and the policy for an embedded broker serving the fleet in `dir`, reachable as `hosts`. */
export function secureBrokerFor(dir: string, hosts: string[]): { tls: { cert: string; key: string }; policy: BrokerPolicy } {
  if (!existsSync(join(fleetPaths(dir).caDir, 'ca.key'))) throw new SimSecurityError(`no fleet in ${dir}: run jerrywatt ca init --fleet ${dir} and provision the devices (jerrywatt provision --fleet ${dir} --device dev1)`);
  const san = [...new Set(['127.0.0.1', 'localhost', ...hosts])].map((h) => (/^[0-9.]+$/.test(h) || h.includes(':') ? `IP:${h}` : `DNS:${h}`));
  const server = issueCert(fleetPaths(dir).caDir, hosts[0] ?? '127.0.0.1', 'server', { san, days: 30 });
  return { tls: { cert: server.certPem, key: server.keyPem }, policy: fleetPolicy(dir) };
}

/** The settings `provision --device id` wrote for this device (its credentials, CA, group, meters). */
export function provisionedSettings(dir: string, id: string): Partial<Record<SettingName, string>> {
  const f = join(identityDir(dir, id), 'device.json');
  if (!existsSync(f)) throw new SimSecurityError(`${id} is not provisioned in ${dir}: jerrywatt provision --fleet ${dir} --device ${id}`);
  const s = JSON.parse(readFileSync(f, 'utf8')) as DeviceSettingsFile;
  const { brokerUrl: _ignored, ...rest } = s;
  return rest;
}

/** Device settings for a broker given with --broker and the shared connection flags. */
export function connectionSettings(c: Omit<BrokerConnection, 'url'>): Partial<Record<SettingName, string>> {
  return {
    ...(c.username ? { mqttUser: c.username } : {}),
    ...(c.password !== undefined ? { mqttPass: c.password } : {}),
    ...(c.ca ? { mqttCa: c.ca } : {}),
    ...(c.cert ? { mqttCert: c.cert } : {}),
    ...(c.key ? { mqttKey: c.key } : {}),
  };
}
