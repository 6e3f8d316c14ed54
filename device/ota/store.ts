/** The settings and state keys the OTA receiver reads and writes (device/settings/keys.ts), with their defaults. */
import { SETTINGS } from '../settings/keys.ts';
import type { Native } from '../../bindings/native.js';

export type OtaKey =
  | 'otaSeqFw'
  | 'otaSeqApp'
  | 'otaSeqModel'
  | 'otaOffer'
  | 'otaProg'
  | 'otaLast'
  | 'modelSlot'
  | 'appPrev'
  | 'appSlot'
  | 'appTrial'
  | 'appRolled'
  | 'otaIssued';

export class OtaStore {
  constructor(private readonly n: Native) {}

  get(name: OtaKey): string | number | ArrayBuffer | null {
    const d = SETTINGS[name];
    const v = this.n.kvGet(d.store, d.key, d.type);
    return v === undefined ? d.default : v;
  }

  /** State writes; a false return (NVS full) is logged, and the next safe point tries again. */
  set(name: OtaKey, value: string | number | ArrayBuffer): void {
    const d = SETTINGS[name];
    if (!this.n.kvSet('state', d.key, value)) this.n.log('warn', `ota: could not save ${d.key}`);
  }

  erase(name: OtaKey): void {
    this.n.kvErase('state', SETTINGS[name].key);
  }
}
