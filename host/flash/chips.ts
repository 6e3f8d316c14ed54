/**
 * The chips `jerrywatt flash --chip` builds for: ESP-IDF target, where the bootloader goes (ESP-IDF v5.2.2
 * components/bootloader/Kconfig.projbuild, BOOTLOADER_OFFSET_IN_FLASH) and the GPIOs wired to the SPI flash.
 * The firmware refuses those pins by native/esp/chip_pins.c; test/firmware runs that C beside this table.
 */
export interface Chip {
  target: string;
  bootloaderOffset: number;
  /** Inclusive range of the pins that drive the flash (and in-package PSRAM). */
  flashPins: readonly [number, number];
}

export const CHIPS = {
  esp32: { target: 'esp32', bootloaderOffset: 0x1000, flashPins: [6, 11] },
  esp32c3: { target: 'esp32c3', bootloaderOffset: 0x0, flashPins: [12, 17] },
  esp32s3: { target: 'esp32s3', bootloaderOffset: 0x0, flashPins: [26, 37] },
} as const satisfies Record<string, Chip>;

export type ChipName = keyof typeof CHIPS;

export function chip(name: string): Chip {
  if (!Object.hasOwn(CHIPS, name)) throw new Error(`--chip ${name}: supported chips are ${Object.keys(CHIPS).join(', ')}`);
  return CHIPS[name as ChipName];
}

export function isFlashPin(c: Chip, pin: number): boolean {
  return pin >= c.flashPins[0] && pin <= c.flashPins[1];
}

/** The pins of a "2,4,12-19" list (the ledPins setting) or a single pin that drive this chip's flash. */
export function flashPinsIn(c: Chip, spec: string): number[] {
  const hit: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(-?\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let p = Math.max(a, c.flashPins[0]); p <= Math.min(b, c.flashPins[1]); p++) if (!hit.includes(p)) hit.push(p);
  }
  return hit;
}
