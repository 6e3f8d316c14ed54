/**
 * The app-image loader of docs/app-boot.md, for the simulated board: probation bookkeeping, then the first
 * valid image of appSlot, appPrev, or the app embedded in the firmware (dist/device/app.js). While no app OTA
 * has ever set appSlot (the key is absent), app_a comes before the embedded app: `flash --app-only` fills it.
 */
import { APP_IMAGE_HEADER_BYTES, validateAppImage, type ImageExpectations } from '../app-image.ts';
import type { NvsStore } from './nvs.ts';

export interface LoadedApp {
  source: string;
  /** app_a | app_b | embedded */
  slot: string;
  appVersion: number | null;
  /** What the loader rolled back or refused at this boot, if anything. */
  notes: string[];
}

const str = (s: NvsStore, k: string): string => {
  const v = s.get(k);
  return v?.t === 'str' ? v.v : '';
};
const i32 = (s: NvsStore, k: string): number => {
  const v = s.get(k);
  return v?.t === 'i32' ? v.v : 0;
};

/** No image was ever started in the slot: its header bytes are still erased flash (an image is written header first). */
export function slotErased(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, APP_IMAGE_HEADER_BYTES);
  for (let i = 0; i < n; i++) if (bytes[i] !== 0xff) return false;
  return true;
}

/** The app source of a valid image, or throws with the reason. */
function checkImage(bytes: Uint8Array, want: ImageExpectations): { source: string; appVersion: number } {
  const { header, payload } = validateAppImage(bytes, want);
  if (header.payloadKind !== 'source') throw new Error('snapshot payloads need the JerryScript engine');
  return { source: Buffer.from(payload).toString('utf8'), appVersion: header.appVersion };
}

export function loadApp(state: NvsStore, readSlot: (label: string) => Uint8Array | null, want: ImageExpectations, embedded: () => string): LoadedApp {
  const notes: string[] = [];
  const setStr = (k: string, v: string) => state.set(k, { t: 'str', v });
  const trial = i32(state, 'appTrial');
  if (trial === 2) {
    const failed = str(state, 'appSlot');
    notes.push(`probation failed: ${failed}`);
    setStr('appRolled', `probation failed: ${failed}`);
    setStr('appSlot', str(state, 'appPrev'));
    state.set('appTrial', { t: 'i32', v: 0 });
  } else if (trial === 1) {
    state.set('appTrial', { t: 'i32', v: 2 });
  }
  if (state.get('appSlot') === undefined) return firstApp(state, readSlot, want, embedded, notes);
  const candidates = [str(state, 'appSlot'), str(state, 'appPrev')];
  for (let i = 0; i < candidates.length; i++) {
    const slot = candidates[i]!;
    if (!slot) continue;
    const bytes = readSlot(slot);
    if (!bytes) {
      notes.push(`${slot}: no such slot`);
      continue;
    }
    try {
      const app = checkImage(bytes, want);
      if (i > 0) {
        // Fell back: the previous slot is now the one to boot, confirmed.
        setStr('appSlot', slot);
        state.set('appTrial', { t: 'i32', v: 0 });
      }
      return { ...app, slot, notes };
    } catch (err) {
      const why = `${slot}: ${(err as Error).message}`;
      notes.push(why);
      setStr('appRolled', why);
    }
  }
  if (candidates[0]) {
    setStr('appSlot', '');
    state.set('appTrial', { t: 'i32', v: 0 });
  }
  return { source: embedded(), slot: 'embedded', appVersion: null, notes };
}

/**
 * No app OTA ever set appSlot: app_a if it holds a valid image (written by `flash --app-only`), else the embedded
 * app. Writes no boot state, so the first app OTA still sees a board that never had one (it installs into app_b,
 * the slot not running, with appPrev = app_a). An erased app_a is the normal case and is skipped silently.
 * Only an absent key counts: an app OTA rolled back to the embedded app sets appSlot = "", and app_a then holds
 * the image that was refused, which must not come back.
 */
function firstApp(state: NvsStore, readSlot: (label: string) => Uint8Array | null, want: ImageExpectations, embedded: () => string, notes: string[]): LoadedApp {
  const bytes = readSlot('app_a');
  if (bytes && !slotErased(bytes)) {
    try {
      return { ...checkImage(bytes, want), slot: 'app_a', notes };
    } catch (err) {
      const why = `app_a: ${(err as Error).message}`;
      notes.push(why);
      state.set('appRolled', { t: 'str', v: why });
    }
  }
  return { source: embedded(), slot: 'embedded', appVersion: null, notes };
}
