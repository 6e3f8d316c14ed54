/**
 * The firmware A/B state that ESP-IDF keeps in `otadata`, and the bootloader's rule with rollback enabled:
 * a slot set to boot is `new`; its first boot makes it `pending-verify`; booting it again without
 * otaMarkValid() aborts it and the previous valid slot boots instead.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { OtaState } from '../../bindings/native.js';

export const FIRMWARE_SLOTS = ['ota_0', 'ota_1'] as const;
export type FirmwareSlot = (typeof FIRMWARE_SLOTS)[number];

interface OtaDataFile {
  boot: FirmwareSlot;
  states: Record<FirmwareSlot, OtaState>;
}

export class OtaData {
  private d: OtaDataFile = { boot: 'ota_0', states: { ota_0: 'valid', ota_1: 'undefined' } };
  running: FirmwareSlot = 'ota_0';

  constructor(private readonly path: string | null) {
    if (path && existsSync(path)) this.d = JSON.parse(readFileSync(path, 'utf8')) as OtaDataFile;
  }

  /**
   * The bootloader: picks the slot to run at this boot and updates the states. Returns a note when it rolled back.
   * `verify` checks a slot's image, as ESP-IDF's bootloader does before it jumps: a slot whose image does not
   * verify is marked invalid and the other one boots.
   */
  boot(verify: (slot: FirmwareSlot) => string | null = () => null): string | null {
    const notes: string[] = [];
    const s = this.d.states[this.d.boot];
    if (s === 'new') this.d.states[this.d.boot] = 'pending-verify';
    else if (s === 'pending-verify' || s === 'invalid' || s === 'aborted') {
      if (s === 'pending-verify') this.d.states[this.d.boot] = 'aborted';
      const prev = other(this.d.boot);
      notes.push(`firmware in ${this.d.boot} was ${s === 'pending-verify' ? 'not confirmed' : s}; booting ${prev}`);
      this.d.boot = prev;
    }
    const why = verify(this.d.boot);
    if (why) {
      const prev = other(this.d.boot);
      notes.push(`firmware in ${this.d.boot} does not verify (${why}); booting ${prev}`);
      this.d.states[this.d.boot] = 'invalid';
      this.d.boot = prev;
    }
    this.running = this.d.boot;
    this.save();
    return notes.length ? notes.join('; ') : null;
  }

  state(slot: FirmwareSlot): OtaState {
    return this.d.states[slot];
  }

  next(): FirmwareSlot {
    return other(this.running);
  }

  setBoot(slot: FirmwareSlot): void {
    this.d.boot = slot;
    this.d.states[slot] = 'new';
    this.save();
  }

  markValid(): void {
    this.d.states[this.running] = 'valid';
    this.save();
  }

  /**
   * Whether the other slot is marked usable, as esp_ota_check_rollback_is_possible asks of otadata (not undefined,
   * invalid or aborted). That call also verifies the image; the caller does that part (it has the flash).
   */
  canRollback(): boolean {
    const s = this.d.states[other(this.running)];
    return s !== 'undefined' && s !== 'invalid' && s !== 'aborted';
  }

  /** Marks the running slot invalid and the other to boot. False, changing nothing, when rollback is not possible. */
  rollback(): boolean {
    if (!this.canRollback()) return false;
    this.d.states[this.running] = 'invalid';
    this.d.boot = other(this.running);
    this.save();
    return true;
  }

  private save(): void {
    if (!this.path) return;
    writeFileSync(this.path + '.tmp', JSON.stringify(this.d));
    renameSync(this.path + '.tmp', this.path);
  }
}

function other(slot: FirmwareSlot): FirmwareSlot {
  return slot === 'ota_0' ? 'ota_1' : 'ota_0';
}
