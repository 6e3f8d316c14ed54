/** The LED pin allow-list: "2,4,5,12-19". GPIO 6-11 drive the ESP32's SPI flash and are never allowed. */
export const FLASH_PINS = [6, 7, 8, 9, 10, 11];
export const MAX_GPIO = 39;

export function parsePinList(spec: string): number[] {
  const pins: number[] = [];
  for (const part of spec.split(',')) {
    const p = part.trim();
    if (!p) continue;
    const dash = p.indexOf('-');
    const a = decimal(dash < 0 ? p : p.slice(0, dash));
    const b = dash < 0 ? a : decimal(p.slice(dash + 1));
    if (a < 0 || b < 0) continue;
    for (let i = a; i <= b && i <= MAX_GPIO; i++) if (FLASH_PINS.indexOf(i) < 0 && pins.indexOf(i) < 0) pins.push(i);
  }
  return pins;
}

/** A string of decimal digits as a number; -1 for anything else (no RegExp: a static snapshot refuses them). */
function decimal(s: string): number {
  if (s.length === 0 || s.length > 9) return -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  return Number(s);
}
