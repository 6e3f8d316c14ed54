/** Keeps the Wi-Fi station up: connect, and on every drop try again with backoff. */
import type { WifiEvent } from '../../bindings/native.js';
import { Backoff, type BackoffPolicy } from '../lib/backoff.ts';
import { Emitter } from '../lib/emitter.ts';

type WifiEvents = { up: (ip: string) => void; down: (reason: number) => void };

export class WifiLink extends Emitter<WifiEvents> {
  up = false;
  drops = 0;
  private readonly backoff: Backoff;

  constructor(
    private readonly ssid: string,
    private readonly password: string,
    policy: BackoffPolicy,
  ) {
    super();
    this.backoff = new Backoff(policy, (ms, cb) => native.timerStart(ms, false, cb), (id) => native.timerStop(id));
    native.wifiOn((e) => this.onEvent(e));
  }

  start(): void {
    native.wifiConnect(this.ssid, this.password);
  }

  private onEvent(e: WifiEvent): void {
    if (e.event === 'got_ip') {
      this.backoff.reset();
      if (!this.up) {
        this.up = true;
        this.emit('up', e.ip ?? '');
      }
      return;
    }
    if (this.up) {
      this.up = false;
      this.drops++;
      this.emit('down', e.reason ?? 0);
    }
    if (!this.backoff.pending) this.backoff.schedule(() => native.wifiConnect(this.ssid, this.password));
  }
}
