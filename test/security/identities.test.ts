/**
 * Identities on both brokers: device A's credentials cannot command B, read B's OTA or publish B's state; an
 * unauthenticated client, a wrong password, a certificate from another CA and a revoked device are refused
 * (revocation takes effect on reload). A provisioned device connecting over TLS: device-tls.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { initCa, issueCert } from '../../host/security/ca.ts';
import { Prober, clientOptions, connectAs, makeFleet, revokeIdentity, startAedesFor, startMosquittoFor, type BrokerUnderTest, type TestFleet } from './fleet-fixture.ts';
import { requireMosquitto } from '../helpers/mosquitto.ts';
import { eventually } from '../spine/util.ts';

async function refused(b: BrokerUnderTest, url: string, opts: mqtt.IClientOptions): Promise<string> {
  const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  const why = await new Promise<string | null>((resolve) => {
    c.once('connect', () => resolve(null));
    c.once('error', (err) => resolve(err.message));
    c.once('close', () => resolve('connection closed before CONNACK'));
  });
  c.end(true);
  if (why === null) assert.fail(`${b.name}: the connection was accepted`);
  return why;
}

for (const which of ['aedes', 'mosquitto'] as const) {
  describe(`security on ${which}: identities, refusals, revocation`, function () {
    this.timeout(60_000);
    let fleet: TestFleet;
    let b: BrokerUnderTest;
    before(async function () {
      if (which === 'mosquitto') requireMosquitto(this);
      fleet = makeFleet();
      b = which === 'aedes' ? await startAedesFor(fleet) : await startMosquittoFor(fleet);
    });
    after(async () => {
      await b?.stop();
      fleet?.cleanup();
    });

    it("device A's credentials cannot command B, read B's OTA, or publish B's state", async () => {
      const p = await Prober.start(b, fleet);
      try {
        assert.equal(await p.canPublish('devA', 'esp/devB/led/set', false), false, 'A commands B');
        assert.equal(await p.canRead('devA', 'esp/devB/ota/data', 'esp/devB/ota/data', 'op'), false, "A reads B's OTA data");
        assert.equal(await p.canRead('devA', 'esp/devB/ota/offer', 'esp/devB/ota/offer', 'op'), false, "A reads B's OTA offer");
        assert.equal(await p.canRead('devA', 'esp/+/ota/data', 'esp/devB/ota/data', 'op'), false, "A reads B's OTA through a wildcard");
        assert.equal(await p.canPublish('devA', 'esp/devB/led/state', true), false, "A publishes B's LED state");
        assert.equal(await p.canPublish('devA', 'esp/devB/status', true), false, "A publishes B's status");
        // ...while A's own topics work, so the refusals above are not a broken connection.
        assert.equal(await p.canPublish('devA', 'esp/devA/led/state', true), true);
        assert.equal(await p.canRead('devA', 'esp/devA/led/set', 'esp/devA/led/set', 'op'), true);
      } finally {
        await p.stop();
      }
    });

    it('refuses an unauthenticated client, a wrong password, a certificate from another CA and plain MQTT', async () => {
      const pwUrl = b.urlFor({ auth: 'password' });
      const certUrl = b.urlFor(fleet.creds.get('devA')!);
      await refused(b, pwUrl, { ca: fleet.caPem });
      await refused(b, pwUrl, { ca: fleet.caPem, username: 'op', password: 'not-the-password' });
      await refused(b, pwUrl, { ca: fleet.caPem, username: 'devA', password: 'x' }); // a certificate identity has no password
      const otherDir = mkdtempSync(join(tmpdir(), 'jw-other-ca-'));
      try {
        initCa(otherDir);
        const forged = issueCert(otherDir, 'devA', 'client');
        await refused(b, certUrl, { ca: fleet.caPem, cert: forged.certPem, key: forged.keyPem });
      } finally {
        rmSync(otherDir, { recursive: true, force: true });
      }
      await refused(b, pwUrl.replace('mqtts:', 'mqtt:'), { username: 'op', password: fleet.creds.get('op')!.password, connectTimeout: 2000 });
    });

    it('a revoked device (certificate: CRL; password: hash removed) is refused after reload, and dropped if connected', async () => {
      const a = fleet.creds.get('devA')!;
      const bCreds = fleet.creds.get('devB')!;
      const connectedA = await mqtt.connectAsync(b.urlFor(a), clientOptions(fleet, a));
      const closed = new Promise<void>((resolve) => connectedA.once('close', () => resolve()));
      revokeIdentity(fleet.dir, 'devA');
      revokeIdentity(fleet.dir, 'devB');
      await b.reload();
      const whyA = await refused(b, b.urlFor(a), clientOptions(fleet, a));
      await refused(b, b.urlFor(bCreds), clientOptions(fleet, bCreds));
      if (which === 'mosquitto') assert.match(whyA, /certificate revoked/, 'mosquitto refuses the revoked certificate in the handshake (CRL)');
      if (which === 'aedes') {
        await closed; // the embedded broker disconnects a client its new policy refuses
      } else {
        // mosquitto keeps the TLS session, but the identity has no grant left: nothing it publishes gets through.
        const watcher = await connectAs(b, fleet, 'obs');
        const seen: string[] = [];
        watcher.on('message', (_t, pl) => seen.push(pl.toString()));
        await watcher.subscribeAsync('esp/#', { qos: 0 });
        await connectedA.publishAsync('esp/devA/health', 'after-revocation', { qos: 1 });
        const op = await connectAs(b, fleet, 'op');
        await op.publishAsync('esp/marker/led/set', 'marker', { qos: 1 });
        await eventually(() => seen.includes('marker'), 'the marker');
        assert.equal(seen.includes('after-revocation'), false, 'a revoked, still connected device published');
        await Promise.all([watcher.endAsync(true), op.endAsync(true)]);
        connectedA.end(true);
      }
      // Others are unaffected.
      const op = await connectAs(b, fleet, 'op');
      await op.endAsync(true);
    });
  });
}
