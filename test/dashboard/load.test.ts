/**
 * A relaxed version of the dashboard bench (bench/dashboard.bench.ts): a smaller fleet replayed fast, with a
 * one-minute chart window so that the steady state comes early. What it checks are bounds, not speed: every message
 * reaches the page, the charts hold the window and no more, and the heap after a forced GC stops growing.
 */
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { buildDashboard } from '../../host/dashboard/build.ts';
import { startDashboardServer, type DashboardServer } from '../../host/dashboard/server.ts';
import { fleetTraffic } from '../../host/dashboard/testing/traffic.ts';
import { packageRoot as repoRoot } from '../../host/paths.ts';
import { launchChromium, requireChromium } from './helpers.ts';

describe('dashboard under a replayed fleet (relaxed bench)', function () {
  this.timeout(120_000);
  let broker: EmbeddedBroker;
  let server: DashboardServer;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let pub: MqttClient;

  before(async function () {
    const chromium = requireChromium(this);
    const built = await buildDashboard(repoRoot());
    broker = await startEmbeddedBroker({ port: 0, wsPort: 0 });
    server = await startDashboardServer({ dir: built.dir, port: 0, config: { wsUrl: broker.ws!.url, prefix: 'esp', historyMs: 60_000 } });
    browser = await launchChromium(chromium);
    page = await browser.newPage();
    cdp = await page.context().newCDPSession(page);
    await page.goto(server.url);
    await page.waitForFunction(() => (document.getElementById('conn') as HTMLElement).dataset.state === 'online', undefined, { timeout: 20_000 });
    pub = await mqtt.connectAsync(broker.url, { clientId: 'dash-load', reconnectPeriod: 0 });
  });

  after(async () => {
    await pub?.endAsync(true);
    await browser?.close();
    await server?.close();
    await broker?.close();
  });

  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  const reached = (n: number) => page.waitForFunction((k) => window.jw.model.messages >= k, n, { timeout: 30_000, polling: 50 });

  it('takes 8 simulated minutes of 10 devices and 5 meters: all delivered, charts bounded, heap flat', async () => {
    const traffic = fleetTraffic({ devices: 10, meters: 5, t0: Date.UTC(2026, 0, 1), seed: 3 });
    let sent = 0;
    let heapMinute2 = 0;
    for (let s = 0; s < 8 * 60; s++) {
      await Promise.all(traffic(s).map((m) => (sent++, pub.publishAsync(m.topic, m.payload, { qos: m.retain ? 1 : 0, retain: m.retain }))));
      if (s + 1 === 120) {
        await reached(sent);
        heapMinute2 = await heap();
      }
    }
    await reached(sent);
    const heapEnd = await heap();
    const s = await page.evaluate(() => ({
      messages: window.jw.model.messages,
      garbage: window.jw.model.garbage,
      points: [...window.jw.model.meters.values()].map((m) => m.series.length),
      events: window.jw.model.events.length,
      rows: document.querySelectorAll('#devices tbody tr').length,
      eventRows: document.querySelectorAll('#events tbody tr').length,
    }));
    assert.equal(s.messages, sent, 'every message reached the page');
    assert.equal(s.garbage, 0);
    assert.equal(s.rows, 10);
    assert.ok(s.points.every((n) => n >= 55 && n <= 61), `charts hold one minute of 1 Hz samples: ${s.points}`);
    assert.ok(s.eventRows <= 200 && s.eventRows === Math.min(200, s.events), `event rows ${s.eventRows} for ${s.events} events`);
    assert.ok(heapEnd < heapMinute2 * 1.25, `heap after GC: ${heapMinute2} B after minute 2, ${heapEnd} B at the end`);
  });
});
