/**
 * A broker policy (host/security/policy.ts) as aedes hooks: authenticate at CONNECT (client certificate or
 * username/password), authorizePublish (topic and retain flag) and authorizeSubscribe (SUBACK 0x80 when refused).
 * aedes closes a client whose publish is refused (MQTT 3.1.1 has no negative PUBACK).
 */
import type { Aedes, Client } from 'aedes';
import type { TLSSocket } from 'node:tls';
import { canPublish, canSubscribe, type Grant } from '../security/acl.ts';
import type { BrokerPolicy, ClientCredentials } from '../security/policy.ts';

interface Session {
  creds: ClientCredentials;
  name: string;
  grants: Grant[];
}

/** Printable and bounded: names and topics in denial lines come from peers. */
function show(s: string): string {
  const t = s.length > 80 ? s.slice(0, 80) + '...' : s;
  return JSON.stringify(t);
}

function peerCert(client: Client): ClientCredentials['cert'] {
  const conn = client.conn as Partial<TLSSocket>;
  if (typeof conn.getPeerCertificate !== 'function') return null;
  const c = conn.getPeerCertificate();
  if (!c || !c.subject) return null;
  const cn = Array.isArray(c.subject.CN) ? c.subject.CN[0]! : (c.subject.CN ?? '');
  const err = conn.authorizationError;
  return { cn, serial: c.serialNumber ?? '', authorized: conn.authorized === true, ...(err ? { error: String((err as Error).message ?? err) } : {}) };
}

export interface InstalledPolicy {
  /** Applies the current policy to connected clients: ones it now refuses are disconnected. */
  recheck(): void;
}

export function installPolicy(aedes: Aedes, policy: BrokerPolicy, onDenied: (line: string) => void): InstalledPolicy {
  const sessions = new Map<Client, Session>();
  aedes.authenticate = (client, username, password, done) => {
    const creds: ClientCredentials = { username: username ?? undefined, password: password ?? undefined, cert: peerCert(client) };
    const r = policy.authenticate(creds);
    if (!r.ok) {
      onDenied(`refused connection ${show(client.id)}${username ? ` as ${show(username)}` : ''}: ${r.reason}`);
      const e = Object.assign(new Error(r.reason), { returnCode: creds.cert ? 5 : 4 });
      return done(e as Error & { returnCode: 4 | 5 }, false);
    }
    sessions.set(client, { creds, name: r.identity.name, grants: r.grants });
    done(null, true);
  };
  aedes.authorizePublish = (client, packet, done) => {
    if (!client) return done(null); // a persisted will of a client that was authorised when it connected
    const s = sessions.get(client);
    if (s && canPublish(s.grants, packet.topic, packet.retain)) return done(null);
    onDenied(`denied publish${packet.retain ? ' (retained)' : ''} by ${show(s?.name ?? client.id)} on ${show(packet.topic)}`);
    done(new Error(`not authorized to publish on ${packet.topic}`));
  };
  aedes.authorizeSubscribe = (client, sub, done) => {
    const s = sessions.get(client);
    if (s && canSubscribe(s.grants, sub.topic)) return done(null, sub);
    onDenied(`denied subscribe by ${show(s?.name ?? client.id)} to ${show(sub.topic)}`);
    done(null, null);
  };
  aedes.on('clientDisconnect', (client) => sessions.delete(client));
  aedes.on('clientError', (client) => sessions.delete(client));
  return {
    recheck() {
      for (const [client, s] of sessions) {
        const r = policy.authenticate(s.creds);
        if (r.ok) s.grants = r.grants;
        else {
          onDenied(`disconnected ${show(s.name)} on reload: ${r.reason}`);
          sessions.delete(client);
          client.close();
        }
      }
    },
  };
}
