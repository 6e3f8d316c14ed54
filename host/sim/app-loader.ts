/**
 * The app-image loader of docs/app-boot.md, for the simulated board: probation bookkeeping, then the first
 * valid image of appSlot, appPrev, or the app embedded in the firmware (dist/device/app.js).
 */
import { validateAppImage, type ImageExpectations } from '../../build/app-image.ts';
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
      const { header, payload } = validateAppImage(bytes, want);
      if (header.payloadKind !== 'source') throw new Error('snapshot payloads need the JerryScript engine');
      if (i > 0) {
        // Fell back: the previous slot is now the one to boot, confirmed.
        setStr('appSlot', slot);
        state.set('appTrial', { t: 'i32', v: 0 });
      }
      return { source: Buffer.from(payload).toString('utf8'), slot, appVersion: header.appVersion, notes };
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
