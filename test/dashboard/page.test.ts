/**
 * The dashboard in a real Chromium against the simulator: the V8 board running the real bundle, the embedded
 * broker with its WebSocket listener, the meter gateway driven tick by tick, and a real app OTA.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { buildDashboard } from '../../host/dashboard/build.ts';
import { startDashboardServer, type DashboardServer } from '../../host/dashboard/server.ts';
import { startMeterGateway, type MeterGateway } from '../../host/meters/gateway.ts';
import { installModel, trainMeterModel } from '../../host/meters/model.ts';
import { publishUpdate } from '../../host/ota/publisher.ts';
import { distPath, packageRoot as repoRoot } from '../../host/paths.ts';
import { ensureBundle, Observer } from '../spine/util.ts';
import { keyPair, offerFor, runnableAppImage, SimDevice } from '../ota/sim-harness.ts';
import { launchChromium, layoutProblems, requireChromium, watchConsole } from './helpers.ts';

const T0 = Date.UTC(2026, 0, 1);
const SHOTS = distPath('screenshots');

describe('dashboard in Chromium, against the simulator', function () {
  this.timeout(120_000);
  let broker: EmbeddedBroker;
  let server: DashboardServer;
  let browser: Browser;
  let page: Page;
  let dev: SimDevice;
  let gateway: MeterGateway;
  let obs: Observer;
  let consoleErrors: string[];
  const keys = keyPair();

  /** Waits for a condition evaluated in the page, with the expectation in the failure message. */
  const pageWait = async (fn: string, what: string, timeout = 20_000) => {
    try {
      // The page's CSP forbids eval, so the condition travels as a function body evaluated by the DevTools protocol.
      await page.waitForFunction(new Function(`return (${fn});`) as () => boolean, undefined, { timeout, polling: 50 });
    } catch {
      throw new Error(`the page never showed ${what}`);
    }
  };
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `dashboard-${name}.png`), fullPage: true });

  before(async function () {
    const chromium = requireChromium(this);
    mkdirSync(SHOTS, { recursive: true });
    await ensureBundle();
    const built = await buildDashboard(repoRoot());
    broker = await startEmbeddedBroker({ port: 0, wsPort: 0 });
    obs = await Observer.connect(broker.url);
    const { bytes } = await trainMeterModel({ version: 1 });
    dev = new SimDevice('dev1', { brokerUrl: broker.url, pubDer: keys.pubDer, settings: { meters: 'meter1,meter2', healthSec: 1 } });
    installModel(dev.board, bytes);
    dev.boot();
    // A sag on meter1 from tick 12 for 5 ticks; ticks are driven by hand, their ts are simulated.
    gateway = await startMeterGateway({ brokerUrl: broker.url, meters: 2, rate: 0, t0: T0, cycle: 0, seed: 7, schedule: [{ kind: 'sag', start: 12, ticks: 5, depth: 0.35, meter: 'meter1' }] });
    server = await startDashboardServer({ dir: built.dir, port: 0, config: { wsUrl: broker.ws!.url, prefix: 'esp' } });
    browser = await launchChromium(chromium);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    consoleErrors = watchConsole(page);
    await page.goto(server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await gateway?.stop();
    await obs?.close();
    dev?.stop();
    await broker?.close();
  });

  it('loads with no console errors and shows dev1 online', async () => {
    await pageWait(`document.querySelector('#conn')?.dataset.state === 'online'`, 'the broker connection online');
    await pageWait(`document.querySelector('tr[data-device="dev1"]')?.dataset.online === 'true'`, 'dev1 online');
    const row = await page.textContent('tr[data-device="dev1"]');
    assert.match(row!, /sim-/, 'firmware from the birth message');
    assert.deepEqual(consoleErrors, []);
  });

  it('draws both meters live, an injected sag as a shaded span and an event', async () => {
    for (let k = 0; k < 24; k++) await gateway.tick();
    await pageWait(`document.querySelectorAll('.meter').length === 2`, 'two meter charts');
    await pageWait(`Number(document.querySelector('.meter[data-meter="meter2"]')?.dataset.points) >= 20`, 'meter2 points on its chart');
    await pageWait(`Number(document.querySelector('.meter[data-meter="meter1"]')?.dataset.spans) >= 1`, 'an anomaly span on meter1');
    await pageWait(`[...document.querySelectorAll('#events tbody tr')].some((r) => r.textContent.includes('meter1') && r.textContent.includes('sag'))`, 'a sag event for meter1');
    assert.equal(await page.getAttribute('.meter[data-meter="meter2"]', 'data-spans'), '0', 'no span on the meter without a disturbance');
    assert.deepEqual(await layoutProblems(page), []);
    await shot('meters');
  });

  it('clicking "on" lights dev1: the GPIO goes high and the page shows the state the device reported', async () => {
    const pin = 2;
    assert.equal(dev.board.gpioLevel(pin) ?? 0, 0);
    await pageWait(`!!document.querySelector('button[data-device="dev1"][data-led="on"]')`, 'the LED buttons (operator)');
    await page.click('button[data-device="dev1"][data-led="on"]');
    await pageWait(`document.querySelector('tr[data-device="dev1"] td.led')?.dataset.led === 'on'`, 'the LED on');
    assert.equal(dev.board.gpioLevel(pin), 1, 'the simulated GPIO reads high');
    const report = obs.last('esp/dev1/led/state')!.json;
    assert.equal(report.state, 'on');
  });

  it('an app OTA shows its progress up to "accepted"', async () => {
    const img = await runnableAppImage(2, 48 * 1024);
    const { manifest, offer } = offerFor({ kind: 'app', version: 2, image: img, target: { device: 'dev1' } }, keys.priv);
    const r = await publishUpdate({ url: broker.url, offer, manifest, image: img, expect: ['dev1'], timeoutMs: 60_000 });
    assert.equal(r.devices.get('dev1')?.state, 'accepted');
    await pageWait(`document.querySelector('tr[data-device="dev1"] td.ota')?.dataset.ota === 'accepted'`, 'the OTA accepted');
    const trail = (await page.getAttribute('tr[data-device="dev1"] td.ota', 'title'))!.split(' → ');
    assert.ok(trail.includes('downloading'), `the page followed the transfer: ${trail.join(' → ')}`);
    assert.equal(trail[trail.length - 1], 'accepted');
    await pageWait(`document.querySelector('tr[data-device="dev1"]')?.children[3]?.textContent === '2'`, 'app version 2 after the restart');
    await shot('ota');
  });

  it('garbage on a topic increments the unreadable count and lands in the error list', async () => {
    const before = Number(await page.textContent('#garbage'));
    await obs.publish('esp/dev1/health', 'not json {', 0);
    await obs.publish('esp/meter1/modbus', '\u001b[31m{"register":', 0);
    await pageWait(`Number(document.querySelector('#garbage').textContent) === ${before + 2}`, 'two more unreadable messages');
    const errors = await page.textContent('#errors tbody');
    assert.match(errors!, /unreadable message: not JSON/);
    assert.doesNotMatch(errors!, /\u001b/, 'no raw escape reaches the page');
    assert.deepEqual(consoleErrors, [], 'the page stays healthy');
  });

  it('a broker restart shows "reconnecting", then live data again', async () => {
    const { port } = broker;
    const wsPort = broker.ws!.port;
    const points = Number(await page.getAttribute('.meter[data-meter="meter2"]', 'data-points'));
    await broker.close();
    await pageWait(`document.querySelector('#conn').dataset.state === 'reconnecting'`, '"reconnecting"');
    await shot('reconnecting');
    broker = await startEmbeddedBroker({ port, wsPort });
    await pageWait(`document.querySelector('#conn').dataset.state === 'online'`, 'online again', 30_000);
    await pageWait(`document.querySelector('tr[data-device="dev1"]')?.dataset.online === 'true'`, 'dev1 online again (its new birth)', 30_000);
    // The gateway reconnects on its own; fresh readings reach the chart.
    for (let i = 0; i < 200 && !gateway.client.connected; i++) await new Promise((r) => setTimeout(r, 50));
    for (let k = 0; k < 3; k++) await gateway.tick();
    await pageWait(`Number(document.querySelector('.meter[data-meter="meter2"]').dataset.points) > ${points}`, 'new meter points after the restart');
    assert.deepEqual(await layoutProblems(page), []);
  });
});

describe('dashboard access: credentials in memory only, viewers read-only', function () {
  this.timeout(60_000);
  let broker: EmbeddedBroker;
  let server: DashboardServer;
  let browser: Browser;
  const published: string[] = [];

  before(async function () {
    const chromium = requireChromium(this);
    const built = await buildDashboard(repoRoot());
    broker = await startEmbeddedBroker({ port: 0, wsPort: 0 });
    // A broker that knows one viewer: it may read, never subscribe to or publish commands.
    broker.aedes.authenticate = (_c, user, pass, cb) => cb(null, user === 'viewer' && pass?.toString() === 'view-pw');
    broker.aedes.authorizeSubscribe = (_c, sub, cb) => cb(sub.topic.includes('/led/set') ? new Error('viewer') : null, sub);
    broker.aedes.authorizePublish = (_c, packet, cb) => {
      published.push(packet.topic);
      cb(new Error('viewer'));
    };
    server = await startDashboardServer({ dir: built.dir, port: 0, config: { wsUrl: broker.ws!.url, prefix: 'esp' } });
    browser = await launchChromium(chromium);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await broker?.close();
  });

  it('asks for credentials, keeps them out of storage and cookies, and gives a viewer no controls', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#login:not([hidden])', { timeout: 30_000 });
    await page.fill('#user', 'viewer');
    await page.fill('#pass', 'wrong');
    await page.click('#login button');
    await page.waitForFunction(() => document.querySelector('#login-error')!.textContent!.includes('refused'), undefined, { timeout: 30_000 });
    await page.fill('#user', 'viewer');
    await page.fill('#pass', 'view-pw');
    await page.click('#login button');
    await page.waitForFunction(() => (document.querySelector('#conn') as HTMLElement).dataset.state === 'online' && document.querySelector('#role')!.textContent === 'read-only', undefined, { timeout: 30_000 });
    assert.equal(await page.isHidden('#fleet'), true, 'no fleet controls');
    assert.equal(await page.$$eval('button[data-led]', (b) => b.length), 0, 'no LED buttons');
    const stored = await page.evaluate(() => JSON.stringify({ l: { ...localStorage }, s: { ...sessionStorage }, c: document.cookie }));
    assert.doesNotMatch(stored, /view-pw/);
    assert.equal(await page.inputValue('#pass'), '', 'the password field is cleared');
    const cookies = await page.context().cookies();
    assert.equal(cookies.length, 0);
    assert.deepEqual(published, [], 'the page published nothing');
  });

  it('binds to 127.0.0.1 unless another address is asked for explicitly', async () => {
    const { startDashboardServer: start, DashboardError } = await import('../../host/dashboard/server.ts');
    await assert.rejects(start({ dir: distPath('dashboard'), port: 0, host: '0.0.0.0', config: { prefix: 'esp' } }), DashboardError);
  });
});
