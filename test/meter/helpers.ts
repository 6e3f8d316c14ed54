/** Shared by the meter, retrain and loop tests: a board that watches meters with a model installed, model OTA on a manual clock. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installModel } from '../../host/meters/model.ts';
import { buildManifest, signOffer } from '../../host/ota/offer.ts';
import { publishUpdate, type PublishResult } from '../../host/ota/publisher.ts';
import type { SettingName } from '../../device/settings/keys.ts';
import type { ProvisionValue } from '../../host/sim/board.ts';
import { ensureBundle, eventually, makeBoard, type Observer, type TestBoard } from '../spine/util.ts';
import type { BoardKind, BoardUnderTest } from '../helpers/boards.ts';
import type { BrokerFixture } from '../helpers/broker-fixture.ts';

export const ALARM_PIN = 4;

export function otaKeys(dir?: string): { priv: KeyObject; pubDer: Uint8Array; keyPath?: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const out: { priv: KeyObject; pubDer: Uint8Array; keyPath?: string } = { priv: privateKey, pubDer: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })) };
  if (dir) {
    out.keyPath = join(dir, 'ota.key');
    writeFileSync(out.keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  }
  return out;
}

export interface MeterBoard extends TestBoard {
  /** Levels written to the alarm pin, in order. */
  alarm: Array<0 | 1>;
  /** Levels written to the command LED pin. */
  led: Array<0 | 1>;
}

/** Boots a board watching `meters`, with `model` (a model.bin) in model_a; resolves once it is online and the broker holds its meter subscriptions. */
export async function meterBoard(id: string, fx: BrokerFixture, o: { meters: string; model?: Uint8Array; settings?: Partial<Record<SettingName, ProvisionValue>> }): Promise<MeterBoard> {
  await ensureBundle();
  const obs = fx.obs;
  const tb = makeBoard(id, fx.url, { settings: { meters: o.meters, ...(o.settings ?? {}) } });
  if (o.model) installModel(tb.board, o.model);
  const mb = tb as MeterBoard;
  mb.alarm = [];
  mb.led = [];
  tb.board.on('gpio', (pin, level) => {
    if (pin === ALARM_PIN) mb.alarm.push(level);
    if (pin === 2) mb.led.push(level);
  });
  tb.board.boot();
  await eventually(() => obs.on(`esp/${id}/status`).some((m) => m.json?.online === true), `${id} online`, { clocks: [tb.clock] });
  // Subscriptions go out right after CONNACK: wait until the broker has registered them.
  const topics = o.meters.split(',').filter(Boolean).map((m) => `esp/${m.trim()}/modbus`);
  await eventually(() => topics.every((t) => fx.hasSubscribed(id, t)), `${id} subscribed to ${topics.join(', ')}`, { clocks: [tb.clock] });
  return mb;
}

export interface MeterBoardOn extends BoardUnderTest {
  alarm: Array<0 | 1>;
  led: Array<0 | 1>;
}

/** meterBoard on either board (test/helpers/boards.ts): the model goes into model_a before the first boot. */
export async function meterBoardOn(kind: BoardKind, id: string, fx: BrokerFixture, o: { meters: string; model?: Uint8Array; settings?: Partial<Record<SettingName, ProvisionValue>> }): Promise<MeterBoardOn> {
  await ensureBundle();
  const b = kind.make(id, fx.url, { settings: { meters: o.meters, ...(o.settings ?? {}) } }) as MeterBoardOn;
  if (o.model && b.sim) installModel(b.sim, o.model);
  if (o.model && b.native) {
    b.native.writePartition('model_a', o.model);
    b.native.provision('modelSlot', 'model_a');
  }
  b.alarm = [];
  b.led = [];
  b.onGpio((pin, level) => {
    if (pin === ALARM_PIN) b.alarm.push(level);
    if (pin === 2) b.led.push(level);
  });
  b.boot();
  await eventually(() => fx.obs.on(`esp/${id}/status`).some((m) => m.json?.online === true), `${id} online`, { clocks: [b.clock] });
  const topics = o.meters.split(',').filter(Boolean).map((m) => `esp/${m.trim()}/modbus`);
  await eventually(() => topics.every((t) => fx.hasSubscribed(id, t)), `${id} subscribed to ${topics.join(', ')}`, { clocks: [b.clock] });
  return b;
}

/** Events the detector published for `id`, optionally of one kind. */
export function events(obs: Observer, id: string, kind?: string): any[] {
  return obs.on(`esp/${id}/anomaly`).map((m) => m.json).filter((j) => !kind || j.event === kind);
}

/** Publishes a model by OTA to one board, advancing its clock while the transfer runs. */
export async function otaModel(url: string, tb: TestBoard, priv: KeyObject, image: Uint8Array, version: number): Promise<PublishResult> {
  const manifest = buildManifest({ kind: 'model', version, image, target: { device: tb.board.deviceId } });
  let done: PublishResult | null = null;
  let failed: unknown = null;
  publishUpdate({ url, offer: signOffer(manifest, priv), manifest, image, expect: [tb.board.deviceId], timeoutMs: 20_000 }).then(
    (r) => void (done = r),
    (e) => void (failed = e),
  );
  await eventually(() => done || failed, 'model OTA to finish', { clocks: [tb.clock], stepMs: 20, rounds: 3000 });
  if (failed) throw failed;
  return done!;
}

/** One complete sample of the default register map as payloads (volts, amps, Hz). */
export function samplePayloads(ts: number, v = 230, i = 5, f = 50, thd = 2.5): Array<[number, number]> {
  return [
    [1006, Math.round(i * 1000)],
    [1007, Math.round(v * i * 0.95)],
    [1009, Math.round(v * 10)],
    [1010, Math.round(f * 100)],
    [1011, Math.round(thd * 10)],
  ].map(([r, raw]) => [r!, raw!] as [number, number]).map(([r, raw]) => [r, raw]);
}

export async function publishSample(obs: Observer, meter: string, ts: number, v = 230, skip: number[] = [], qos: 0 | 1 = 1): Promise<void> {
  for (const [register, raw] of samplePayloads(ts, v)) if (!skip.includes(register)) await obs.publish(`esp/${meter}/modbus`, JSON.stringify({ register, raw, ts }), qos);
}
