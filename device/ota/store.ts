/** The settings and state keys the OTA receiver reads and writes (device/settings/keys.ts), with their defaults. */
import { settingsTable } from '../settings/keys.ts';
import type { Native } from '../../bindings/native.js';

/** The keys this store reads and writes. */
const OTA_KEYS = ['otaSeqFw', 'otaSeqApp', 'otaSeqModel', 'otaOffer', 'otaProg', 'otaLast', 'modelSlot', 'appPrev', 'appSlot', 'appTrial', 'appRolled', 'otaIssued'] as const;

export type OtaKey = (typeof OTA_KEYS)[number];

type Rows = Pick<ReturnType<typeof settingsTable>, OtaKey>;

export class OtaStore {
  /** Its own rows, picked once: a whole table per write (settingDef) would be garbage at the OTA's heap peak. */
  private readonly rows = {} as Rows;

  constructor(private readonly n: Native) {
    const t = settingsTable();
    for (const k of OTA_KEYS) (this.rows as Record<OtaKey, Rows[OtaKey]>)[k] = t[k];
  }

  get(name: OtaKey): string | number | ArrayBuffer | null {
    const d = this.rows[name];
    const v = this.n.kvGet(d.store, d.key, d.type);
    return v === undefined ? d.default : v;
  }

  /** State writes; a false return (NVS full) is logged, and the next safe point tries again. */
  set(name: OtaKey, value: string | number | ArrayBuffer): void {
    const d = this.rows[name];
    if (!this.n.kvSet('state', d.key, value)) this.n.log('warn', `ota: could not save ${d.key}`);
  }

  erase(name: OtaKey): void {
    this.n.kvErase('state', this.rows[name].key);
  }
}
