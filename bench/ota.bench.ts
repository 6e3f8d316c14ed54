/**
 * OTA throughput, side by side with its anchors, in one run (docs/ota-protocol.md; issue 4):
 * 1. a 1.5 MB firmware image to 1 and to 10 devices: KB/s from the offer to every device holding the verified
 *    image (pending-verify), versus the raw rate of the same frames pushed through the same broker with QoS 1 to
 *    the same number of subscribers and no device logic;
 * 2. with 50 ms of added delay each way (fault proxy): our window (16) versus stop-and-wait (window 1);
 * 3. the device's peak buffered bytes (in-flight requested bytes, and what the receiver itself holds), as the
 *    receiver reports them in its status (`mem`).
 * Against aedes, and mosquitto when installed. Devices are real simulated boards (host/sim SimBoard running
 * dist/device/app.js in its sandbox, NOR flash in memory, real clock): the figures are protocol + broker + Node +
 * simulator costs, not ESP32 flash speed (no erase/write timing is simulated).
 */
import { SETTINGS } from '../device/settings/keys.ts';
import mqtt from 'mqtt';
import { startEmbeddedBroker } from '../host/broker/embedded.ts';
import { startFaultProxy } from '../host/ota/testing/fault-proxy.ts';
import { publishUpdate } from '../host/ota/publisher.ts';
import { buildManifest, signOffer } from '../host/ota/offer.ts';
import { makeTestFirmwareImage } from '../host/ota/firmware-image.ts';
import { encodeFrame } from '../device/ota/frame.ts';
import { SimBoard } from '../host/sim/board.ts';
import { buildDevice } from '../build/bundle.ts';
import { distPath, packageRoot as repoRoot } from '../host/paths.ts';
import { existsSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { mosquittoPath, startMosquitto } from '../test/helpers/mosquitto.ts';
import { machineLine } from './machine.ts';

const CHUNK = 4096;
const FW_BYTES = 1536 * 1024;
const DELAY_BYTES = 256 * 1024;
const keys = (() => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { priv: privateKey, pubDer: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })) };
})();

interface Run {
  kbps: number;
  seconds: number;
  peakOutstanding: number;
  peakHeld: number;
  ok: boolean;
}

let boardSeq = 0;
let runSeq = 0;

/** n simulated boards of `group` on `devUrl`, online (birth message seen) before the offer goes out. */
async function boards(brokerUrl: string, devUrl: string, n: number, window: number, group: string): Promise<SimBoard[]> {
  const watch = await mqtt.connectAsync(brokerUrl, { clean: true });
  const online = new Set<string>();
  watch.on('message', (t, p) => p.toString().includes('"online":true') && online.add(t.split('/')[1]!));
  await watch.subscribeAsync('esp/+/status', { qos: 1 });
  const out: SimBoard[] = [];
  for (let i = 0; i < n; i++) {
    const id = `b${++boardSeq}`;
    const b = new SimBoard({ deviceId: id, stateDir: null, settings: { deviceId: id, brokerUrl: devUrl, healthSec: 0, otaPubKey: keys.pubDer, group, otaWindow: window } });
    b.boot();
    out.push(b);
  }
  const t0 = Date.now();
  while (out.some((b) => !online.has(b.deviceId)) && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 20));
  await watch.endAsync();
  return out;
}

async function otaRun(brokerUrl: string, devUrl: string, n: number, image: Buffer, window: number, version: number): Promise<Run> {
  // A group of its own per run: the boards of the next run never see this run's offer.
  const group = `bench${++runSeq}`;
  const devs = await boards(brokerUrl, devUrl, n, window, group);
  const ids = new Set(devs.map((d) => d.deviceId));
  // The receiver's own accounting, from its statuses.
  const mem = await mqtt.connectAsync(brokerUrl, { clean: true });
  let peakOutstanding = 0;
  let peakHeld = 0;
  mem.on('message', (t, p) => {
    if (!ids.has(t.split('/')[1]!)) return;
    try {
      const m = JSON.parse(p.toString()).mem;
      if (m) ((peakOutstanding = Math.max(peakOutstanding, m.peak)), (peakHeld = Math.max(peakHeld, m.held)));
    } catch {
      /* not ours */
    }
  });
  await mem.subscribeAsync('esp/+/ota/status', { qos: 0 });
  const manifest = buildManifest({ kind: 'firmware', version, image, target: { group } });
  const offer = signOffer(manifest, keys.priv);
  const t0 = performance.now();
  const verified = new Map<string, number>();
  // The measure ends when every board holds the verified image (pending-verify): the publisher is then stopped,
  // which clears the retained offer, rather than left serving until its timeout.
  const stop = new AbortController();
  const result = await publishUpdate({
    url: brokerUrl,
    offer,
    manifest,
    image,
    expect: [...ids],
    timeoutMs: 300_000,
    signal: stop.signal,
    onProgress: (p) => {
      if ((p.state === 'pending-verify' || p.state === 'accepted') && !verified.has(p.id)) verified.set(p.id, performance.now());
      if (verified.size === n) stop.abort();
    },
  });
  if (verified.size < n) console.log('  (not every device verified the image:', [...result.devices.values()].map((d) => `${d.id} ${d.state} ${d.reason}`).join(', '), ')');
  const seconds = (Math.max(...verified.values()) - t0) / 1000;
  await new Promise((r) => setTimeout(r, 300)); // the last statuses
  await mem.endAsync();
  for (const d of devs) d.close();
  return { kbps: (image.length * n) / 1024 / seconds, seconds, peakOutstanding, peakHeld, ok: verified.size === n };
}

/** The same frames, QoS 1, publisher -> broker -> n subscribers (one topic each), no device logic. */
async function rawRun(url: string, n: number, image: Buffer): Promise<number> {
  const frames: Buffer[] = [];
  for (let i = 0; i * CHUNK < image.length; i++) frames.push(Buffer.from(encodeFrame(1, i, image.subarray(i * CHUNK, (i + 1) * CHUNK))));
  const subs = await Promise.all(Array.from({ length: n }, () => mqtt.connectAsync(url, { clean: true })));
  let got = 0;
  const done = new Promise<void>((resolve) =>
    subs.forEach((s) =>
      s.on('message', () => {
        if (++got === frames.length * n) resolve();
      }),
    ),
  );
  await Promise.all(subs.map((s, i) => s.subscribeAsync(`raw/${i}`, { qos: 1 })));
  const pub = await mqtt.connectAsync(url, { clean: true });
  const t0 = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) for (const f of frames) sends.push(pub.publishAsync(`raw/${i}`, f, { qos: 1 }));
  await Promise.all([done, ...sends]);
  const s = (performance.now() - t0) / 1000;
  await Promise.all([pub.endAsync(), ...subs.map((c) => c.endAsync())]);
  return (image.length * n) / 1024 / s;
}

const DEFAULT_WINDOW = SETTINGS.otaWindow.default;

async function suite(name: string, url: string, port: number): Promise<void> {
  console.log(`\n-- broker: ${name} --`);
  const fw = makeTestFirmwareImage(FW_BYTES, 1);
  let version = 1;
  for (const n of [1, 10]) {
    const raw = await rawRun(url, n, fw);
    const ota = await otaRun(url, url, n, fw, 16, version++);
    console.log(
      `${String(n).padStart(2)} device(s), ${(fw.length / 1024).toFixed(0)} KB each: OTA ${ota.kbps.toFixed(0)} KB/s (${ota.seconds.toFixed(2)} s to verified on all)` +
        ` | raw QoS1 ${raw.toFixed(0)} KB/s | ratio ${(ota.kbps / raw).toFixed(2)} | peak in-flight ${ota.peakOutstanding} B, held ${ota.peakHeld} B${ota.ok ? '' : ' | FAILED'}`,
    );
  }
  const small = makeTestFirmwareImage(DELAY_BYTES, 2);
  const proxy = await startFaultProxy(port, { delayMs: 50 });
  try {
    const win = await otaRun(url, proxy.url, 1, small, 16, version++);
    // The device default (settings otaWindow): 5 frames fit the firmware's 24 KB queue budget for MQTT messages.
    const def = await otaRun(url, proxy.url, 1, small, DEFAULT_WINDOW, version++);
    const saw = await otaRun(url, proxy.url, 1, small, 1, version++);
    console.log(
      `50 ms each way, ${(small.length / 1024).toFixed(0)} KB: window 16 ${win.kbps.toFixed(1)} KB/s, window ${DEFAULT_WINDOW} (default) ${def.kbps.toFixed(1)} KB/s vs stop-and-wait ${saw.kbps.toFixed(1)} KB/s` +
        ` | ratios ${(win.kbps / saw.kbps).toFixed(1)}x, ${(def.kbps / saw.kbps).toFixed(1)}x | peak in-flight ${win.peakOutstanding} B (bound ${16 * (16 + CHUNK)}), default ${def.peakOutstanding} B, stop-and-wait ${saw.peakOutstanding} B`,
    );
  } finally {
    await proxy.close();
  }
}

console.log(machineLine());
console.log('devices: simulated boards (SimBoard, the real bundle), not the old fake board');
if (!existsSync(distPath('device', 'app.js'))) await buildDevice({ root: repoRoot(), appVersion: 1 }); // what the boards run
const aedes = await startEmbeddedBroker();
try {
  await suite('aedes (embedded)', aedes.url, aedes.port);
} finally {
  await aedes.close();
}
if (mosquittoPath()) {
  const mq = await startMosquitto();
  try {
    await suite('mosquitto', mq.url, mq.port);
  } finally {
    await mq.stop();
  }
} else console.log('\nmosquitto not installed: skipped (apt-get install mosquitto)');
