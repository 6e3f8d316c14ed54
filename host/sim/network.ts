/** The simulated board's link: tests drop and restore it; MQTT sockets die with it, as they would. */
import { EventEmitter } from 'node:events';

export class Network extends EventEmitter<{ down: []; up: [] }> {
  up = true;
  /** Wi-Fi association delay, on the board's clock. */
  connectDelayMs = 20;
  ip = '192.168.4.2';

  drop(): void {
    if (!this.up) return;
    this.up = false;
    this.emit('down');
  }

  restore(): void {
    if (this.up) return;
    this.up = true;
    this.emit('up');
  }
}
