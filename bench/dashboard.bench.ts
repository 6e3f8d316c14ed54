/**
 * The dashboard under a fleet's load: 50 devices and 20 meters at 1 Hz, 30 minutes of traffic replayed on an
 * accelerated clock through the embedded broker's WebSocket listener into a real Chromium. Anchors, side by side
 * in this run: the same page idle (frame cost without traffic), and the heap after the first minute (the end
 * must be within 10 %). Budgets: replay <= 3 min, p95 redraw < 16 ms.
 *
 *   npm run bench -- dashboard        (JW_BENCH_DASH_MINUTES, JW_BENCH_DASH_DEVICES, JW_BENCH_DASH_METERS to vary)
 */
import mqtt from 'mqtt';
import type { CDPSession, Page } from 'playwright-core';
import { startEmbeddedBroker } from '../host/broker/embedded.ts';
import { buildDashboard } from '../host/dashboard/build.ts';
import { startDashboardServer } from '../host/dashboard/server.ts';
import { fleetTraffic } from '../host/dashboard/testing/traffic.ts';
import { packageRoot as repoRoot } from '../host/paths.ts';
import { chromiumPath, launchChromium } from '../test/dashboard/helpers.ts';
import { machineLine, percentile } from './machine.ts';

const MINUTES = Number(process.env.JW_BENCH_DASH_MINUTES ?? 30);
const DEVICES = Number(process.env.JW_BENCH_DASH_DEVICES ?? 50);
const METERS = Number(process.env.JW_BENCH_DASH_METERS ?? 20);
const BUDGET_S = 180;
/** Real ms per simulated second: 30 minutes in 2.7 min, inside the 3-minute budget with room for the drain. */
const PACE_MS = (BUDGET_S * 1000 * 0.9) / (30 * 60);

async function heapAfterGc(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const h = await cdp.send('Runtime.getHeapUsage');
  return h.usedSize;
}

async function frameStats(page: Page, reset = true): Promise<{ work: number[]; intervals: number[] }> {
  return page.evaluate((r) => {
    const s = { work: [...window.jw.work].sort((a, b) => a - b), intervals: [...window.jw.intervals].sort((a, b) => a - b) };
    if (r) {
      window.jw.work.length = 0;
      window.jw.intervals.length = 0;
    }
    return s;
  }, reset);
}

const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;

async function main(): Promise<void> {
  const chromium = chromiumPath();
  if (!chromium) throw new Error('Chromium not found: apt-get install chromium (or set JW_CHROMIUM)');
  console.log(machineLine());
  const built = await buildDashboard(repoRoot());
  const broker = await startEmbeddedBroker({ port: 0, wsPort: 0 });
  const server = await startDashboardServer({ dir: built.dir, port: 0, config: { wsUrl: broker.ws!.url, prefix: 'esp' } });
  const browser = await launchChromium(chromium);
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const cdp = await page.context().newCDPSession(page);
  await page.goto(server.url);
  await page.waitForFunction(() => (document.getElementById('conn') as HTMLElement).dataset.state === 'online', undefined, { timeout: 20_000 });
  const pub = await mqtt.connectAsync(broker.url, { clientId: 'bench-dashboard', reconnectPeriod: 0 });

  // Anchor: the page idle for 3 s.
  await frameStats(page);
  await new Promise((r) => setTimeout(r, 3000));
  const idle = await frameStats(page);

  await cdp.send('Performance.enable');
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const m0 = await metrics();
  const traffic = fleetTraffic({ devices: DEVICES, meters: METERS, t0: Date.UTC(2026, 0, 1) });
  const seconds = MINUTES * 60;
  let sent = 0;
  let heapMinute1 = 0;
  const trend: string[] = [];
  const t0 = performance.now();
  let pausedMs = 0;
  for (let s = 0; s < seconds; s++) {
    for (const m of traffic(s)) {
      pub.publish(m.topic, m.payload, { qos: m.retain ? 1 : 0, retain: m.retain }); // retained at QoS 1, as devices send them
      sent++;
    }
    const due = t0 + pausedMs + (s + 1) * PACE_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if ((s + 1) % 300 === 0 || s + 1 === 60) {
      const p0 = performance.now();
      const h = await heapAfterGc(cdp);
      pausedMs += performance.now() - p0; // the heap snapshots are not replay time
      if (s + 1 === 60) heapMinute1 = h;
      trend.push(`${(s + 1) / 60} min ${kb(h)}`);
      process.stdout.write(`  ${(s + 1) / 60} of ${MINUTES} simulated minutes, page heap after GC ${kb(h)}\n`);
    }
  }
  // Drain: wait until the page's count stops moving (QoS 0: the broker may drop for a slow subscriber; counted).
  let seen = -1;
  for (let still = 0; still < 10; ) {
    await new Promise((r) => setTimeout(r, 100));
    const n = await page.evaluate(() => window.jw.model.messages);
    still = n === seen ? still + 1 : 0;
    seen = n;
  }
  const replayS = (performance.now() - t0 - pausedMs) / 1000;
  const busy = await frameStats(page);
  const m1 = await metrics();
  const share = (k: string) => `${k.replace('Duration', '')} ${(((m1[k] ?? 0) - (m0[k] ?? 0)) / replayS * 100).toFixed(0)} %`;
  const heapEnd = await heapAfterGc(cdp);
  const points = await page.evaluate(() => Math.max(...[...window.jw.model.meters.values()].map((m) => m.series.length)));

  const p95 = (a: number[]) => percentile(a, 95);
  console.log(`\n${DEVICES} devices, ${METERS} meters at 1 Hz, ${MINUTES} simulated minutes: ${sent.toLocaleString('en')} messages sent, ${seen.toLocaleString('en')} reached the page`);
  console.log('| figure | with traffic | anchor | ratio | budget |');
  console.log('|---|---|---|---|---|');
  console.log(`| replay time | ${replayS.toFixed(1)} s | ${BUDGET_S} s budget | ${(replayS / BUDGET_S).toFixed(2)} | <= 1 |`);
  console.log(`| page heap after GC | ${kb(heapEnd)} (end) | ${kb(heapMinute1)} (after minute 1) | ${(heapEnd / heapMinute1).toFixed(3)} | <= 1.10 |`);
  console.log(`| p95 redraw per frame | ${p95(busy.work).toFixed(2)} ms | ${p95(idle.work).toFixed(2)} ms idle | ${(p95(busy.work) / Math.max(0.01, p95(idle.work))).toFixed(1)} | < 16 ms |`);
  console.log(`| p95 frame interval (rAF) | ${p95(busy.intervals).toFixed(1)} ms | ${p95(idle.intervals).toFixed(1)} ms idle | ${(p95(busy.intervals) / p95(idle.intervals)).toFixed(2)} | |`);
  console.log(`main thread busy during the replay: ${['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'].map(share).join(', ')}`);
  console.log(`heap trend: ${trend.join(', ')}; most points on one chart: ${points} (10 minutes at 1 Hz is 600)`);
  const ok = replayS <= BUDGET_S && heapEnd <= heapMinute1 * 1.1 && p95(busy.work) < 16;
  console.log(ok ? 'within every budget' : 'OVER BUDGET');
  await pub.endAsync(true);
  await browser.close();
  await server.close();
  await broker.close();
  if (!ok && MINUTES >= 30) process.exitCode = 1;
}

await main();
