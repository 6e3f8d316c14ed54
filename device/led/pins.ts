/** The LED pin allow-list: "2,4,5,12-19". GPIO 6-11 drive the ESP32's SPI flash and are never allowed. */
export const FLASH_PINS = [6, 7, 8, 9, 10, 11];
export const MAX_GPIO = 39;

export function parsePinList(spec: string): number[] {
  const pins: number[] = [];
  for (const part of spec.split(',')) {
    const p = part.trim();
    if (!p) continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(p);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let i = a; i <= b && i <= MAX_GPIO; i++) if (FLASH_PINS.indexOf(i) < 0 && pins.indexOf(i) < 0) pins.push(i);
  }
  return pins;
}
