/**
 * The dashboard against the embedded broker under a provisioned fleet's policy (TLS, passwords, the ACL of
 * host/security/acl.ts) over wss: a viewer's page is read-only, an operator's has the controls, and a wrong
 * password is refused, all decided by the broker, not by the page.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { buildDashboard } from '../../host/dashboard/build.ts';
import { startDashboardServer, type DashboardServer } from '../../host/dashboard/server.ts';
import { issueCert } from '../../host/security/ca.ts';
import { fleetPaths, provisionIdentity } from '../../host/security/fleet.ts';
import { fleetPolicy } from '../../host/security/policy.ts';
import { packageRoot } from '../../host/paths.ts';
import { makeFleet, type TestFleet } from '../security/fleet-fixture.ts';
import { launchChromium, requireChromium } from './helpers.ts';

describe('dashboard under the fleet policy (wss, passwords, ACL)', function () {
  this.timeout(90_000);
  let fleet: TestFleet;
  let broker: EmbeddedBroker;
  let server: DashboardServer;
  let browser: Browser;
  let viewerPassword: string;

  before(async function () {
    const chromium = requireChromium(this);
    fleet = makeFleet();
    const viewer = provisionIdentity(fleet.dir, { name: 'dashview', role: 'viewer', auth: 'password' });
    viewerPassword = readFileSync(viewer.files.password!, 'utf8').trim();
    const cert = issueCert(fleetPaths(fleet.dir).caDir, '127.0.0.1', 'server', { san: ['IP:127.0.0.1', 'DNS:localhost'] });
    broker = await startEmbeddedBroker({ tls: { cert: cert.certPem, key: cert.keyPem }, policy: fleetPolicy(fleet.dir), wsPort: 0 });
    assert.match(broker.ws!.url, /^wss:\/\//, 'the WebSocket listener takes the broker\'s TLS');
    server = await startDashboardServer({ dir: (await buildDashboard(packageRoot())).dir, port: 0, config: { wsUrl: broker.ws!.url, prefix: 'esp' } });
    browser = await launchChromium(chromium);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await broker?.close();
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
    page.waitForFunction(() => (document.getElementById('conn') as HTMLElement).dataset.state === 'online' && document.getElementById('role')!.textContent !== '', undefined, { timeout: 15_000 }).then(() => page.textContent('#role'));

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
