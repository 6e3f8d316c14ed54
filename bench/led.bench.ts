/**
 * LED command latency and rate through the simulated device, side by side with the raw broker round trip
 * (mqtt.js publish -> subscribe, no device) measured in the same run on the same aedes broker. Also the
 * device heap (its vm context) over many commands, which must stay flat.
 *
 *   npm run bench -- led            (JW_BENCH_COMMANDS=100000 by default for the heap run)
 */
import vm from 'node:vm';
import mqtt, { type MqttClient } from 'mqtt';
import { startEmbeddedBroker } from '../host/broker/embedded.ts';
import { SimBoard } from '../host/sim/board.ts';
import { buildDevice } from '../build/bundle.ts';
import { packageRoot as repoRoot } from '../host/paths.ts';
import { machineLine, percentile } from './machine.ts';

const ROUND_TRIPS = Number(process.env.JW_BENCH_RTT ?? 2000);
const BURST = Number(process.env.JW_BENCH_BURST ?? 5000);
const WINDOW = 16;
const HEAP_COMMANDS = Number(process.env.JW_BENCH_COMMANDS ?? 100000);

process.removeAllListeners('warning'); // vm.measureMemory is experimental; its warning is noise here

async function client(url: string, id: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId: id, reconnectPeriod: 0 });
}

/** Sends one message at a time and waits for its answer; returns latencies in ms. */
async function sequential(n: number, send: (i: number) => void, onAnswer: (cb: (i: number) => void) => void): Promise<number[]> {
  const lat: number[] = [];
  let resolveOne: ((i: number) => void) | null = null;
  onAnswer((i) => resolveOne?.(i));
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      resolveOne = (k) => k === i && r();
      send(i);
    });
    lat.push(performance.now() - t0);
  }
  return lat.sort((a, b) => a - b);
}

/**
 * Keeps `window` messages in flight until n are answered; returns messages per second. A window, not a blast:
 * the device's outbox is bounded (by design it drops reports when a burst overruns it).
 */
async function pipelined(n: number, window: number, send: (i: number) => void, onAnswer: (cb: (i: number) => void) => void): Promise<number> {
  let got = 0;
  let sent = 0;
  const t0 = performance.now();
  await new Promise<void>((r) => {
    onAnswer(() => {
      if (++got === n) r();
      else if (sent < n) send(sent++);
    });
    while (sent < Math.min(window, n)) send(sent++);
  });
  return n / ((performance.now() - t0) / 1000);
}

async function contextBytes(): Promise<number> {
  // Collect first (npm run bench passes --expose-gc), so the figure is what the context keeps, not garbage.
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  const m = (await vm.measureMemory({ mode: 'detailed', execution: 'eager' })) as unknown as { other: Array<{ jsMemoryEstimate: number }> };
  return m.other.reduce((s, o) => s + o.jsMemoryEstimate, 0);
}

async function main(): Promise<void> {
  console.log(machineLine());
  await buildDevice({ root: repoRoot(), appVersion: 1 });
  const broker = await startEmbeddedBroker();

  // --- anchor: raw broker round trip, QoS 1, no device
  const pub = await client(broker.url, 'bench-pub');
  const echo = await client(broker.url, 'bench-sub');
  await echo.subscribeAsync('bench/raw', { qos: 1 });
  let rawCb: (i: number) => void = () => {};
  echo.on('message', (_t, p) => rawCb(Number(p.toString())));
  const rawLat = await sequential(ROUND_TRIPS, (i) => pub.publish('bench/raw', String(i), { qos: 1 }), (cb) => (rawCb = cb));
  const rawRate = await pipelined(BURST, WINDOW, (i) => pub.publish('bench/raw', String(i), { qos: 1 }), (cb) => (rawCb = cb));

  // --- the device: command in, state report out
  const board = new SimBoard({ deviceId: 'bench1', stateDir: null, settings: { deviceId: 'bench1', brokerUrl: broker.url, healthSec: 0 } });
  board.boot();
  const obs = await client(broker.url, 'bench-obs');
  await obs.subscribeAsync('esp/bench1/led/state', { qos: 1 });
  let devCb: (i: number) => void = () => {};
  obs.on('message', (_t, p) => {
    const id = (JSON.parse(p.toString()) as { id: string | null }).id;
    if (id) devCb(Number(id.slice(1)));
  });
  await new Promise<void>((r) => {
    const t = setInterval(() => board.gpioLevel(2) !== undefined && obs.connected && (clearInterval(t), r()), 20);
  });
  await new Promise((r) => setTimeout(r, 300)); // device connected and subscribed
  let seq = 0;
  const cmd = (i: number) => pub.publish('esp/bench1/led/set', `{"state":"toggle","id":"c${i}"}`, { qos: 1 });
  const devLat = await sequential(ROUND_TRIPS, (i) => cmd(i), (cb) => (devCb = cb));
  seq = ROUND_TRIPS;
  const base = seq;
  const devRate = await pipelined(BURST, WINDOW, (i) => cmd(base + i), (cb) => (devCb = (k) => k >= base && cb(k)));
  seq += BURST;

  const row = (name: string, lat: number[], rate: number) =>
    `${name.padEnd(28)} p50 ${percentile(lat, 50).toFixed(2).padStart(6)} ms   p99 ${percentile(lat, 99).toFixed(2).padStart(6)} ms   ${rate.toFixed(0).padStart(6)} msg/s`;
  console.log(`\nround trips: ${ROUND_TRIPS} sequential; rate: ${BURST} with ${WINDOW} in flight; QoS 1; aedes on loopback`);
  console.log(row('raw broker (anchor)', rawLat, rawRate));
  console.log(row('LED command -> state report', devLat, devRate));
  console.log(
    `ratio device/raw: latency p50 x${(percentile(devLat, 50) / percentile(rawLat, 50)).toFixed(2)}, p99 x${(percentile(devLat, 99) / percentile(rawLat, 99)).toFixed(2)}, rate x${(devRate / rawRate).toFixed(2)}`,
  );

  // --- heap over many commands (batches of 1000, each waited for)
  const samples: Array<[number, number]> = [[seq, await contextBytes()]];
  const step = Math.max(1000, Math.floor(HEAP_COMMANDS / 10));
  for (let done = 0; done < HEAP_COMMANDS; ) {
    const n = Math.min(1000, HEAP_COMMANDS - done);
    const b0 = seq;
    await pipelined(n, WINDOW, (i) => cmd(b0 + i), (cb) => (devCb = (k) => k >= b0 && cb(k)));
    seq += n;
    done += n;
    if (done % step === 0 || done === HEAP_COMMANDS) samples.push([done, await contextBytes()]);
  }
  console.log(`\ndevice vm context heap over ${HEAP_COMMANDS} commands (V8's estimate after GC; it moves in steps of tens of KB):`);
  for (const [n, b] of samples) console.log(`  after ${String(n).padStart(7)} commands: ${(b / 1024).toFixed(1)} KB`);
  // Flat means no trend: the least-squares slope over the samples after warm-up, not two noisy end points.
  const pts = samples.slice(3); // past warm-up (JIT feedback, inline caches, first GCs)
  const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
  const my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  const slope = pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  const per100k = slope * 100_000;
  console.log(`trend: ${slope.toFixed(3)} B per command = ${(per100k / 1024).toFixed(1)} KB per 100,000 commands (${Math.abs(per100k) <= 64 * 1024 ? 'flat' : 'GROWING'}; a leak of one 64-byte object per command would be 6,250 KB)`);

  board.close();
  await Promise.all([pub.endAsync(), echo.endAsync(), obs.endAsync()]);
  await broker.close();
}

await main();
