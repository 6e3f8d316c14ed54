/**
 * The fleet as a broker policy: who a connecting client is (a certificate the fleet CA issued and did not
 * revoke, or a username with its password), and what it may do (host/security/acl.ts). Built from the fleet
 * directory and re-read by `reload()`, so a revocation takes effect on reload.
 */
import { existsSync, readFileSync } from 'node:fs';
import { grantsOf, type Grant, type Identity } from './acl.ts';
import { caPaths } from './ca.ts';
import { fleetPaths, loadFleet, readPasswords, type FleetIdentity } from './fleet.ts';
import { verifyPassword } from './passwd.ts';

/** What the broker knows of a connecting client. */
export interface ClientCredentials {
  username?: string;
  password?: Buffer;
  /** The TLS client certificate, when one was presented. */
  cert?: { cn: string; serial: string; authorized: boolean; error?: string } | null;
}

export type AuthResult = { ok: true; identity: Identity; grants: Grant[] } | { ok: false; reason: string };

export interface BrokerPolicy {
  authenticate(c: ClientCredentials): AuthResult;
  /** Re-reads identities, passwords and the CRL. */
  reload(): void;
  /** PEM CA and CRL the TLS listener verifies client certificates against. */
  tlsTrust(): { ca: string; crl?: string };
}

export function fleetPolicy(dir: string): BrokerPolicy {
  let prefix = 'esp';
  let byName = new Map<string, FleetIdentity>();
  let passwords = new Map<string, string>();
  let trust: { ca: string; crl?: string } = { ca: '' };
  const load = () => {
    const f = loadFleet(dir);
    prefix = f.prefix;
    byName = new Map(f.identities.map((i) => [i.name, i]));
    passwords = readPasswords(dir);
    const ca = caPaths(fleetPaths(dir).caDir);
    trust = { ca: readFileSync(ca.cert, 'utf8'), ...(existsSync(ca.crl) ? { crl: readFileSync(ca.crl, 'utf8') } : {}) };
  };
  load();
  const ok = (id: FleetIdentity): AuthResult => ({ ok: true, identity: id, grants: grantsOf(id, prefix) });
  return {
    authenticate(c) {
      if (c.cert) {
        if (!c.cert.authorized) return { ok: false, reason: `client certificate refused: ${c.cert.error ?? 'not issued by the fleet CA'}` };
        const id = byName.get(c.cert.cn);
        if (!id || id.auth !== 'cert') return { ok: false, reason: `certificate ${c.cert.cn} names no certificate identity of the fleet` };
        if (id.serial && id.serial.toUpperCase() !== c.cert.serial.toUpperCase()) return { ok: false, reason: `certificate ${c.cert.cn} is not the one issued last` };
        if (c.username && c.username !== id.name) return { ok: false, reason: `username ${c.username} does not match certificate ${id.name}` };
        return ok(id);
      }
      if (!c.username) return { ok: false, reason: 'no credentials' };
      const id = byName.get(c.username);
      const hash = passwords.get(c.username);
      if (!id || id.auth !== 'password' || !hash || !c.password || !verifyPassword(c.password.toString('utf8'), hash)) return { ok: false, reason: 'bad username or password' };
      return ok(id);
    },
    reload: load,
    tlsTrust: () => trust,
  };
}
