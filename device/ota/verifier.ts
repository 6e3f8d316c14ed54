/**
 * The verification of a complete image, from flash: SHA-256 of the whole image in slices (and of an app's payload
 * beside it), then the kind's own checks (firmware: otaValidate; app: its header; model: its header). Owns the
 * SHA-256 contexts: the device has only 4 (bindings/b_crypto.c), so whatever stops a verification gives them back.
 */
import type { Native } from '../../bindings/native.js';
import { hex, type Manifest } from './manifest.ts';
import { checkAppHeader, APP_HEADER_BYTES } from './app-header.ts';
import { checkModelHeader, MODEL_HEADER_BYTES } from './model-header.ts';
import { slotHash } from './slot.ts';
import type { Stepper } from './stepper.ts';

const HASH_BYTES_PER_STEP = 32768;

export class Verifier {
  private hashAll = 0;
  private hashPayload = 0;

  constructor(
    private readonly n: Native,
    private readonly stepper: Stepper,
  ) {}

  /** Hashes and checks slot `label` holding `m`, a slice per tick; `then(null)` when sound, else `then(reason)`. */
  start(m: Manifest, label: string, mapped: boolean, then: (why: string | null) => void): void {
    const n = this.n;
    this.stop();
    this.hashAll = n.sha256Begin();
    if (m.kind === 'app') this.hashPayload = n.sha256Begin();
    let at = 0;
    const step = (): void => {
      const len = Math.min(HASH_BYTES_PER_STEP, m.size - at);
      if (len > 0) {
        slotHash(n, label, mapped, this.hashAll, at, at + len);
        if (this.hashPayload && at + len > APP_HEADER_BYTES) slotHash(n, label, mapped, this.hashPayload, Math.max(at, APP_HEADER_BYTES), at + len);
        at += len;
        return this.stepper.run(step);
      }
      const all = this.hashAll;
      const payload = this.hashPayload;
      this.hashAll = this.hashPayload = 0;
      const got = hex(new Uint8Array(n.sha256Finish(all)));
      const payloadSha = payload ? hex(new Uint8Array(n.sha256Finish(payload))) : '';
      then(got !== m.sha256 ? 'image SHA-256 mismatch' : this.checkKind(m, label, payloadSha));
    };
    this.stepper.run(step);
  }

  /** Finishes (frees) the open SHA-256 contexts, if any. */
  stop(): void {
    const all = this.hashAll;
    const payload = this.hashPayload;
    this.hashAll = this.hashPayload = 0;
    if (all) this.n.sha256Finish(all);
    if (payload) this.n.sha256Finish(payload);
  }

  private checkKind(m: Manifest, label: string, payloadSha: string): string | null {
    if (m.kind === 'firmware') return this.n.otaValidate(label, m.size);
    // App and model slots are data partitions: their headers are read mapped.
    if (m.kind === 'app') {
      const info = this.n.info();
      const out = { payloadSha256: '' };
      const want = { contract: info.contractVersion, engineConfig: info.engineConfigHash, version: m.version, imageSize: m.size };
      const why = checkAppHeader(new Uint8Array(this.n.partMap(label, 0, Math.min(APP_HEADER_BYTES, m.size))), want, out);
      if (why) return why;
      return out.payloadSha256 === payloadSha ? null : 'app payload SHA-256 mismatch';
    }
    return checkModelHeader(new Uint8Array(this.n.partMap(label, 0, Math.min(MODEL_HEADER_BYTES, m.size))), m.version, m.size);
  }
}
