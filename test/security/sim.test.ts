/**
 * `jerrywatt sim` and security: open on loopback for the quickstart, refused beyond it without TLS and
 * authentication; with --fleet, a TLS broker under the fleet policy whose devices use their provisioned
 * credentials, re-read on SIGHUP; with --broker, the devices use the connection's credentials.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { runSim, SimError, type SimOptions } from '../../host/sim/run.ts';
import { packageRoot } from '../../host/paths.ts';
import { provisionIdentity } from '../../host/security/fleet.ts';
import { clientOptions, makeFleet, revokeIdentity, startAedesFor, type TestFleet } from './fleet-fixture.ts';
import { ensureBundle } from '../spine/util.ts';

function simOptions(stateDir: string, extra: Partial<SimOptions>): { opts: SimOptions; stop(): void; ready: Promise<{ url: string }>; lines: string[] } {
  let stop: () => void = () => {};
  let ready: (r: { url: string }) => void = () => {};
  const lines: string[] = [];
  return {
    opts: { root: packageRoot(), mqttPort: 0, devices: 1, stateDir, meters: 0, meterRate: 1, quiet: true, out: (l) => lines.push(l), until: new Promise<void>((r) => (stop = r)), onReady: (r) => ready(r), ...extra },
    stop: () => stop(),
    ready: new Promise((r) => (ready = r)),
    lines,
  };
}

/** Resolves with the first retained/live status of `id` that says online. */
function online(client: mqtt.MqttClient, id: string): Promise<void> {
  return new Promise((resolve) => {
    client.on('message', (t, p) => t === `esp/${id}/status` && p.toString().includes('"online":true') && resolve());
  });
}

describe('security: jerrywatt sim', function () {
  this.timeout(60_000);
  let fleet: TestFleet;
  let dir: string;
  let dev1: { cert: string; key: string };
  before(async () => {
    await ensureBundle();
    fleet = makeFleet();
    dir = mkdtempSync(join(tmpdir(), 'jw-sim-sec-'));
    // The sim's dev1, provisioned in the test fleet as a certificate device.
    const r = provisionIdentity(fleet.dir, { name: 'dev1', role: 'device', auth: 'cert' });
    dev1 = { cert: readFileSync(r.files.cert!, 'utf8'), key: readFileSync(r.files.key!, 'utf8') };
  });
  after(() => {
    fleet?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to listen beyond loopback without TLS and authentication, saying what to do', async () => {
    const s = simOptions(join(dir, 'open'), { host: '0.0.0.0' });
    await assert.rejects(runSim(s.opts), (e: Error) => e instanceof SimError && /beyond loopback.*TLS and authentication.*--fleet/.test(e.message));
  });

  it('--fleet: TLS and the fleet policy on any address; a provisioned device comes online; SIGHUP applies a revocation', async () => {
    const s = simOptions(join(dir, 'fleet'), { host: '0.0.0.0', fleet: fleet.dir });
    const run = runSim(s.opts);
    try {
      const { url } = await s.ready;
      assert.match(url, /^mqtts:\/\/127\.0\.0\.1:\d+$/);
      await assert.rejects(mqtt.connectAsync(url, { ca: fleet.caPem, reconnectPeriod: 0 }), /Not authorized|Bad username/i, 'anonymous refused');
      const obs = fleet.creds.get('obs')!;
      const watcher = await mqtt.connectAsync(url, clientOptions(fleet, obs));
      const up = online(watcher, 'dev1');
      await watcher.subscribeAsync('esp/+/status', { qos: 1 });
      await up;
      const closed = new Promise<void>((resolve) => watcher.once('close', () => resolve()));
      revokeIdentity(fleet.dir, 'obs');
      process.emit('SIGHUP', 'SIGHUP');
      await closed; // the revoked viewer is dropped on reload
      assert.ok(s.lines.some((l) => l.includes('fleet re-read')));
      watcher.end(true);
    } finally {
      s.stop();
      await run;
    }
  });

  it('--broker with credentials: the devices log in with them (mutual TLS to the embedded broker under the fleet policy)', async () => {
    const b = await startAedesFor(fleet);
    const s = simOptions(join(dir, 'broker'), { broker: b.broker.url, connection: { ca: fleet.caPem, ...dev1 } });
    const watcher = await mqtt.connectAsync(b.broker.url, clientOptions(fleet, fleet.creds.get('view')!));
    const up = online(watcher, 'dev1');
    await watcher.subscribeAsync('esp/+/status', { qos: 1 });
    const run = runSim(s.opts);
    try {
      await s.ready;
      await up;
    } finally {
      s.stop();
      await run;
      await watcher.endAsync(true);
      await b.stop();
    }
  });
});
