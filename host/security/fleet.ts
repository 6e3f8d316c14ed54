/**
 * The fleet registry: who exists, with which role, and their credentials, in one directory (default
 * .jerrywatt/fleet). Both brokers are configured from it (host/security/policy.ts, mosquitto.ts).
 *
 *   ca/              the fleet CA (ca.key 0600, ca.crt, crl.pem, openssl's database)
 *   fleet.json       identities: name, role, auth, group, meters, certificate serial
 *   passwd           password hashes, mosquitto format (0600)
 *   identities/NAME/ cert.pem, key.pem (0600), password (0600), device.json (0600: the settings `flash` writes)
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROLES, RESERVED_NAMES, type Identity, type Role } from './acl.ts';
import { caPaths, issueCert, requireCa, revokeCert } from './ca.ts';
import { ensureDir, writePublicFile, writeSecretFile } from './files.ts';
import { formatPasswordFile, hashPassword, parsePasswordFile, randomPassword } from './passwd.ts';
import { DEFAULT_PREFIX } from '../../device/topics.ts';
import { idError, type IdKind } from '../../device/ids.ts';

export const DEFAULT_FLEET_DIR = '.jerrywatt/fleet';

export class FleetError extends Error {}

export type AuthKind = 'cert' | 'password';

export interface FleetIdentity extends Identity {
  auth: AuthKind;
  /** Certificate serial (hex) when auth is cert. */
  serial?: string;
}

export interface Fleet {
  version: 1;
  prefix: string;
  identities: FleetIdentity[];
}

export interface FleetPaths {
  dir: string;
  caDir: string;
  registry: string;
  passwd: string;
}

export function fleetPaths(dir: string): FleetPaths {
  return { dir, caDir: join(dir, 'ca'), registry: join(dir, 'fleet.json'), passwd: join(dir, 'passwd') };
}

export function identityDir(dir: string, name: string): string {
  return join(dir, 'identities', name);
}

/** Names are single topic levels in the fleet's one id syntax (device/ids.ts), and not a reserved level. */
export function nameError(kind: IdKind, name: string): string | null {
  const e = idError(kind, name);
  if (e) return e;
  if (RESERVED_NAMES.includes(name)) return `${kind} id "${name}" is a reserved topic level`;
  return null;
}

export function loadFleet(dir: string): Fleet {
  const p = fleetPaths(dir);
  if (!existsSync(p.registry)) return { version: 1, prefix: DEFAULT_PREFIX, identities: [] };
  const f = JSON.parse(readFileSync(p.registry, 'utf8')) as Fleet;
  if (f.version !== 1 || !Array.isArray(f.identities)) throw new FleetError(`${p.registry}: not a jerrywatt fleet registry (version 1)`);
  return f;
}

function saveFleet(dir: string, f: Fleet): void {
  writePublicFile(fleetPaths(dir).registry, JSON.stringify(f, null, 2) + '\n');
}

export function readPasswords(dir: string): Map<string, string> {
  const p = fleetPaths(dir).passwd;
  return existsSync(p) ? parsePasswordFile(readFileSync(p, 'utf8')) : new Map();
}

export interface ProvisionRequest {
  name: string;
  role: Role;
  auth: AuthKind;
  group?: string;
  meters?: string[];
  /** For a device: the broker URL its settings get. */
  brokerUrl?: string;
  prefix?: string;
}

export interface ProvisionResult {
  identity: FleetIdentity;
  dir: string;
  /** Files written (paths only: a secret is never returned for printing). */
  files: { cert?: string; key?: string; password?: string; deviceSettings?: string; ca: string };
}

/** The settings a provisioned device gets (device/settings/keys.ts names); `flash --provisioned` reads this file. */
export interface DeviceSettingsFile {
  deviceId: string;
  topicPrefix: string;
  group?: string;
  meters?: string;
  brokerUrl?: string;
  mqttUser: string;
  mqttPass?: string;
  mqttCa: string;
  mqttCert?: string;
  mqttKey?: string;
}

export function provisionIdentity(dir: string, req: ProvisionRequest): ProvisionResult {
  const ca = requireCa(fleetPaths(dir).caDir);
  if (!ROLES.includes(req.role)) throw new FleetError(`role must be one of ${ROLES.join(', ')}, got "${req.role}"`);
  // Users' names follow the device syntax too: a name is a username, a certificate CN and an ACL key.
  const bad = nameError('device', req.name) ?? (req.group !== undefined ? nameError('group', req.group) : null) ?? (req.meters ?? []).map((m) => nameError('meter', m)).find((e) => e) ?? null;
  if (bad) throw new FleetError(bad);
  if (req.group && req.role !== 'device') throw new FleetError('--group is for devices (the OTA group they belong to)');
  if (req.meters?.length && req.role !== 'device' && req.role !== 'gateway') throw new FleetError('--meters is for devices (meters they watch) and gateways (meters they publish)');
  const fleet = loadFleet(dir);
  if (req.prefix && fleet.identities.length === 0) fleet.prefix = req.prefix;
  if (fleet.identities.some((i) => i.name === req.name)) throw new FleetError(`"${req.name}" is already provisioned: revoke it first (jerrywatt provision --revoke ${req.name}) to issue new credentials`);
  // Meter ids and device ids share a topic level (<prefix>/<id>/...): one name cannot be both.
  const meterNames = new Set(fleet.identities.flatMap((i) => i.meters ?? []));
  const deviceNames = new Set(fleet.identities.filter((i) => i.role === 'device').map((i) => i.name));
  if (req.role === 'device' && meterNames.has(req.name)) throw new FleetError(`"${req.name}" is a meter id in this fleet; a device cannot have the same name`);
  const clash = (req.meters ?? []).find((m) => deviceNames.has(m) || m === req.name);
  if (clash) throw new FleetError(`meter id "${clash}" is a device id in this fleet; pick another meter id`);
  if (req.role === 'gateway') {
    const owned = fleet.identities.filter((i) => i.role === 'gateway').flatMap((i) => (i.meters ?? []).map((m) => [m, i.name] as const));
    const taken = owned.find(([m]) => req.meters?.includes(m));
    if (taken) throw new FleetError(`meter ${taken[0]} is already published by gateway ${taken[1]}`);
  }

  const idDir = identityDir(dir, req.name);
  ensureDir(idDir, true);
  const caPem = readFileSync(ca.cert, 'utf8');
  const identity: FleetIdentity = { name: req.name, role: req.role, auth: req.auth, ...(req.group ? { group: req.group } : {}), ...(req.meters?.length ? { meters: req.meters } : {}) };
  const files: ProvisionResult['files'] = { ca: ca.cert };
  let password: string | undefined;
  let cert: { certPem: string; keyPem: string } | undefined;
  if (req.auth === 'cert') {
    const c = issueCert(ca.dir, req.name, 'client', { ou: req.role });
    identity.serial = c.serial;
    cert = c;
    files.cert = join(idDir, 'cert.pem');
    files.key = join(idDir, 'key.pem');
    writePublicFile(files.cert, c.certPem);
    writeSecretFile(files.key, c.keyPem);
  } else {
    password = randomPassword();
    files.password = join(idDir, 'password');
    writeSecretFile(files.password, password + '\n');
    const pw = readPasswords(dir);
    pw.set(req.name, hashPassword(password));
    writeSecretFile(fleetPaths(dir).passwd, formatPasswordFile(pw));
  }
  if (req.role === 'device') {
    const s: DeviceSettingsFile = {
      deviceId: req.name,
      topicPrefix: fleet.prefix,
      ...(req.group ? { group: req.group } : {}),
      ...(req.meters?.length ? { meters: req.meters.join(',') } : {}),
      ...(req.brokerUrl ? { brokerUrl: req.brokerUrl } : {}),
      mqttUser: req.name,
      ...(password ? { mqttPass: password } : {}),
      mqttCa: caPem,
      ...(cert ? { mqttCert: cert.certPem, mqttKey: cert.keyPem } : {}),
    };
    files.deviceSettings = join(idDir, 'device.json');
    writeSecretFile(files.deviceSettings, JSON.stringify(s, null, 2) + '\n');
  }
  fleet.identities.push(identity);
  saveFleet(dir, fleet);
  return { identity, dir: idDir, files };
}

/** Removes an identity: its password hash goes, its certificate is revoked (CRL), its files are deleted. Brokers apply it on reload. */
export function revokeIdentity(dir: string, name: string): FleetIdentity {
  const fleet = loadFleet(dir);
  const id = fleet.identities.find((i) => i.name === name);
  if (!id) throw new FleetError(`"${name}" is not in the fleet (${fleetPaths(dir).registry})`);
  const idDir = identityDir(dir, name);
  const certFile = join(idDir, 'cert.pem');
  if (id.auth === 'cert' && existsSync(certFile)) revokeCert(caPaths(fleetPaths(dir).caDir).dir, readFileSync(certFile, 'utf8'));
  const pw = readPasswords(dir);
  if (pw.delete(name)) writeSecretFile(fleetPaths(dir).passwd, formatPasswordFile(pw));
  fleet.identities = fleet.identities.filter((i) => i.name !== name);
  saveFleet(dir, fleet);
  rmSync(idDir, { recursive: true, force: true });
  return id;
}
