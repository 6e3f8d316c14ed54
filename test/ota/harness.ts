/** Test harness: a board (fake-board.ts) + an mqtt.js client + the OTA receiver, on a broker behind the fault proxy. */
import mqtt, { type MqttClient } from 'mqtt';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { FakeBoard } from './fake-board.ts';
import { OtaReceiver, type OtaClient, type OtaOptions } from '../../device/ota/receiver.ts';
import { buildManifest, signOffer, type ManifestInput, type Manifest } from '../../host/ota/offer.ts';

export function keyPair(): { priv: KeyObject; pubDer: ArrayBuffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { priv: privateKey, pubDer: new Uint8Array(der).buffer };
}

export interface DeviceOpts extends Partial<OtaOptions> {
  url: string;
  pubDer: ArrayBuffer;
}

/** One simulated device. `boot()` starts a run; a restart requested by the firmware boots again by itself. */
export class TestDevice {
  readonly board: FakeBoard;
  client: MqttClient | null = null;
  rx: OtaReceiver | null = null;
  boots = 0;
  /** Statuses this device published, newest last. */
  statuses: Array<Record<string, any>> = [];
  /** Highest `peakOutstandingBytes`/`heldBytes` over every run. */
  peakOutstanding = 0;
  peakHeld = 0;
  onBoot: (d: TestDevice) => void = () => {};

  constructor(
    readonly id: string,
    private readonly opts: DeviceOpts,
  ) {
    this.board = new FakeBoard(id);
    this.board.setKv('settings', 'otaPubKey', opts.pubDer);
    this.board.onRestart = () => {
      this.shutdown();
      this.boot();
    };
  }

  boot(): void {
    this.board.boot();
    this.boots++;
    const client = mqtt.connect(this.opts.url, { clientId: `dev-${this.id}-${this.boots}`, clean: true, reconnectPeriod: 100, connectTimeout: 2000 });
    this.client = client;
    client.on('error', () => {});
    const origPublish = client.publish.bind(client);
    (client as any).publish = (topic: string, payload: any, o: any) => {
      if (topic.endsWith('/ota/status')) this.statuses.push(JSON.parse(String(payload)));
      return origPublish(topic, typeof payload === 'string' ? payload : Buffer.from(payload), o);
    };
    const rx = new OtaReceiver(client as unknown as OtaClient, {
      deviceId: this.id,
      prefix: 'esp',
      group: this.opts.group ?? '',
      maxMsg: 8192,
      window: 16,
      probeSec: 5,
      heapMin: 8192,
      retryMs: 300,
      settleMs: 300,
      ...this.opts,
      native: this.board.native(),
    });
    this.rx = rx;
    rx.start();
    this.onBoot(this);
  }

  /** Power cut: nothing more runs, the connection drops without a DISCONNECT. */
  powerCut(): void {
    this.board.powerOff();
    this.shutdown();
  }

  private shutdown(): void {
    if (this.rx) {
      this.peakOutstanding = Math.max(this.peakOutstanding, this.rx.stats.peakOutstandingBytes);
      this.peakHeld = Math.max(this.peakHeld, this.rx.stats.heldBytes);
      this.rx.stop();
    }
    this.rx = null;
    if (this.client) {
      (this.client as any).stream?.destroy();
      this.client.end(true);
    }
    this.client = null;
  }

  get last(): Record<string, any> | undefined {
    return this.statuses[this.statuses.length - 1];
  }

  stop(): void {
    this.powerCut();
  }
}

export function offerFor(inp: ManifestInput, key: KeyObject): { manifest: Manifest; offer: Buffer } {
  const manifest = buildManifest(inp);
  return { manifest, offer: signOffer(manifest, key) };
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
