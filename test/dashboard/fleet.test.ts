/**
 * The dashboard under a provisioned fleet's policy (TLS, passwords, the ACL of host/security/acl.ts) over wss, on
 * the embedded aedes broker and on mosquitto configured by `broker-config`: a viewer's page is read-only, an
 * operator's has the controls, and a wrong password is refused, all decided by the broker, not by the page.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startEmbeddedBroker } from '../../host/broker/embedded.ts';
import { buildDashboard } from '../../host/dashboard/build.ts';
import { fleetOperators, startDashboardServer, type DashboardServer } from '../../host/dashboard/server.ts';
import { issueCert } from '../../host/security/ca.ts';
import { fleetPaths, provisionIdentity } from '../../host/security/fleet.ts';
import { fleetPolicy } from '../../host/security/policy.ts';
import { packageRoot } from '../../host/paths.ts';
import { makeFleet, startMosquittoFor, type TestFleet } from '../security/fleet-fixture.ts';
import { requireMosquitto } from '../helpers/mosquitto.ts';
import { launchChromium, requireChromium } from './helpers.ts';

interface WsBroker {
  wsUrl: string;
  stop(): Promise<void>;
}

/**
 * aedes refuses a viewer's subscription to the command topic, so the page learns the role from the broker; mosquitto
 * 2.0 grants it to an MQTT 3.1.1 client (and withholds the messages), so there the page takes the fleet's operators.
 */
const BROKERS: Array<{ name: string; operatorsFromFleet: boolean; start(fleet: TestFleet, ctx: Mocha.Context): Promise<WsBroker> }> = [
  {
    name: 'aedes',
    operatorsFromFleet: false,
    async start(fleet) {
      const cert = issueCert(fleetPaths(fleet.dir).caDir, '127.0.0.1', 'server', { san: ['IP:127.0.0.1', 'DNS:localhost'] });
      const b = await startEmbeddedBroker({ tls: { cert: cert.certPem, key: cert.keyPem }, policy: fleetPolicy(fleet.dir), wsPort: 0 });
      assert.match(b.ws!.url, /^wss:\/\//, "the WebSocket listener takes the broker's TLS");
      return { wsUrl: b.ws!.url, stop: () => b.close() };
    },
  },
  {
    name: 'mosquitto',
    operatorsFromFleet: true,
    async start(fleet, ctx) {
      requireMosquitto(ctx);
      const m = await startMosquittoFor(fleet);
      return { wsUrl: m.wsUrl, stop: () => m.stop() };
    },
  },
];

for (const kind of BROKERS) {
  describe(`dashboard under the fleet policy (wss, passwords, ACL) on ${kind.name}`, function () {
    this.timeout(90_000);
    let fleet: TestFleet;
    let broker: WsBroker | undefined;
    let server: DashboardServer;
    let browser: Browser;
    let viewerPassword: string;

    before(async function () {
      const chromium = requireChromium(this);
      fleet = makeFleet();
      const viewer = provisionIdentity(fleet.dir, { name: 'dashview', role: 'viewer', auth: 'password' });
      viewerPassword = readFileSync(viewer.files.password!, 'utf8').trim();
      broker = await kind.start(fleet, this);
      server = await startDashboardServer({ dir: (await buildDashboard(packageRoot())).dir, port: 0, config: { wsUrl: broker.wsUrl, prefix: 'esp', ...(kind.operatorsFromFleet ? { operators: fleetOperators(fleet.dir) } : {}) } });
      browser = await launchChromium(chromium);
    });

    after(async () => {
      await browser?.close();
      await server?.close();
      await broker?.stop();
      fleet?.cleanup();
    });

    /** A fresh page (the test's own CA is not in Chromium's store: its certificate errors are ignored here only). */
    async function login(user: string, password: string): Promise<Page> {
      const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await ctx.newPage();
      await page.goto(server.url);
      await page.waitForSelector('#login:not([hidden])', { timeout: 15_000 });
      await page.fill('#user', user);
      await page.fill('#pass', password);
      await page.click('#login button');
      return page;
    }

    const role = (page: Page) =>
      page
        .waitForFunction(() => (document.getElementById('conn') as HTMLElement).dataset.state === 'online' && document.getElementById('role')!.textContent !== '', undefined, { timeout: 15_000 })
        .then(() => page.textContent('#role'));

    it('a viewer gets a read-only page', async () => {
      const page = await login('dashview', viewerPassword);
      assert.equal(await role(page), 'read-only');
      assert.equal(await page.isHidden('#fleet'), true);
      await page.context().close();
    });

    it('an operator gets the LED controls', async () => {
      const page = await login('op', fleet.creds.get('op')!.password!);
      assert.equal(await role(page), 'operator');
      assert.equal(await page.isVisible('#fleet'), true);
      await page.context().close();
    });

    it('a wrong password is refused and the login form says so', async () => {
      const page = await login('dashview', 'not-the-password');
      await page.waitForFunction(() => document.getElementById('login-error')!.textContent!.includes('refused'), undefined, { timeout: 15_000 });
      await page.context().close();
    });
  });
}
