/**
 * The fixture of the session tests and the soak: a broker (aedes in-process, or mosquitto with persistence), the
 * seeded fault proxy in front of it, a status observer, and simulated boards running the real bundle. Like
 * sim-harness.ts's otaWorld, but over either broker, and with publishers that run on the board's manual clock (their
 * repeats, backoff and timeouts advance with it: no sleeps).
 */
import { startEmbeddedBroker } from '../../host/broker/embedded.ts';
import { startFaultProxy, type FaultProxy } from '../../host/ota/testing/fault-proxy.ts';
import { publishUpdate, type PublishOptions, type PublishResult } from '../../host/ota/publisher.ts';
import { requireMosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import type { Observer } from '../spine/util.ts';
import { SimDevice, keyPair, offerFor, statusObserver, type SimDeviceOptions } from './sim-harness.ts';
import type { ManifestInput } from '../../host/ota/offer.ts';

export type BrokerKind = 'aedes' | 'mosquitto';

export interface SessionWorld {
  kind: BrokerKind;
  url: string;
  port: number;
  proxy: FaultProxy;
  obs: Observer;
  devices: SimDevice[];
  keys: ReturnType<typeof keyPair>;
  device(id?: string, extra?: Partial<SimDeviceOptions>): SimDevice;
  /** Publishes an update to `d` on its clock; `input` overrides the manifest input (chunk, ttlMs, ...). */
  publish(d: SimDevice, input: Omit<ManifestInput, 'target'> & { target?: ManifestInput['target'] }, extra?: Partial<PublishOptions>): Promise<PublishResult>;
}

/** Registers mocha hooks that bring the world up and down around each test. */
export function sessionWorld(kind: BrokerKind): SessionWorld {
  const keys = keyPair();
  let closeBroker: () => Promise<void> = async () => {};
  const w = { kind, devices: [] as SimDevice[], keys } as SessionWorld;
  w.device = (id = 'dev1', extra = {}) => {
    const d = new SimDevice(id, { brokerUrl: w.proxy.url, pubDer: keys.pubDer, ...extra });
    w.devices.push(d);
    d.boot();
    return d;
  };
  w.publish = (d, input, extra = {}) => {
    const { manifest, offer } = offerFor({ target: { device: d.id }, now: d.clock.wall(), ...input }, keys.priv);
    return publishUpdate({ url: w.url, offer, manifest, image: input.image, clock: d.clock, timeoutMs: 300_000, repeatMs: 1000, ...extra });
  };
  beforeEach(async function () {
    if (kind === 'mosquitto') {
      requireMosquitto(this);
      const m = await startMosquitto({ persistence: true });
      Object.assign(w, { url: m.url, port: m.port });
      closeBroker = () => m.stop();
    } else {
      const b = await startEmbeddedBroker();
      Object.assign(w, { url: b.url, port: b.port });
      closeBroker = () => b.close();
    }
    w.proxy = await startFaultProxy(w.port);
    w.obs = await statusObserver(w.url);
  });
  afterEach(async () => {
    for (const d of w.devices.splice(0)) d.stop();
    await w.obs?.close();
    await w.proxy?.close();
    await closeBroker();
    closeBroker = async () => {};
  });
  return w;
}
