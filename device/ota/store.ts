/** The state keys the OTA receiver reads and writes (device/settings/keys.ts), with their defaults. */
import { settingsTable } from '../settings/keys.ts';
import type { KvType, Native } from '../../bindings/native.js';

/** The keys this store reads and writes: all runtime state (store 'state'). */
export const OTA_KEYS = ['otaSeqFw', 'otaSeqApp', 'otaSeqModel', 'otaOffer', 'otaProg', 'otaLast', 'modelSlot', 'appPrev', 'appSlot', 'appTrial', 'appRolled', 'otaIssued'] as const;

export type OtaKey = (typeof OTA_KEYS)[number];

/** The default of a state key follows from its type, as keys.ts gives it (test/ota/store.test.ts checks each). */
export function defaultOf(type: KvType): number | string | null {
  return type === 'i32' ? 0 : type === 'str' ? '' : null;
}

export class OtaStore {
  // Picked once, NVS key and type only: a whole settings table per state write was garbage at the app OTA's heap
  // peak, and 12 row objects kept 664 B of the 64 KB JS heap (docs/engine.md).
  private readonly keys = {} as Record<OtaKey, string>;
  private readonly types = {} as Record<OtaKey, KvType>;

  constructor(private readonly n: Native) {
    const t = settingsTable();
    for (const k of OTA_KEYS) {
      this.keys[k] = t[k].key;
      this.types[k] = t[k].type;
    }
  }

  get(name: OtaKey): string | number | ArrayBuffer | null {
    const type = this.types[name];
    const v = this.n.kvGet('state', this.keys[name], type);
    return v === undefined ? defaultOf(type) : v;
  }

  /** State writes; a false return (NVS full) is logged, and the next safe point tries again. */
  set(name: OtaKey, value: string | number | ArrayBuffer): void {
    const key = this.keys[name];
    if (!this.n.kvSet('state', key, value)) this.n.log('warn', `ota: could not save ${key}`);
  }

  erase(name: OtaKey): void {
    this.n.kvErase('state', this.keys[name]);
  }
}
