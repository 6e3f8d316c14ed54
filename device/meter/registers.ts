/**
 * Quantities a meter reports and the register map that turns raw Modbus readings into them.
 * The map is a setting (`meterRegs`), "register:quantity:scale[:offset]" comma-separated, so another meter
 * needs no code change. Parsed once at start; lookups are a scan of a few integers (no allocation).
 */

export const Q_CURRENT = 0;
export const Q_POWER = 1;
export const Q_VOLTAGE = 2;
export const Q_FREQUENCY = 3;
export const Q_THD = 4;
export const NQ = 5;
export const QUANTITIES = ['current', 'activePower', 'voltage', 'frequency', 'thd'];
/** Units, for documentation and messages. */
export const UNITS = ['A', 'W', 'V', 'Hz', '%'];
/** Plausible range of each scaled quantity; outside it a reading is refused as out of range. */
export const RANGE_MIN = [-100000, -100000000, 0, 1, 0];
export const RANGE_MAX = [100000, 100000000, 100000, 500, 1000];
/** The default map: the meter-gateway flow and the registers. */
export const DEFAULT_REGISTER_MAP = '1006:current:0.001,1007:activePower:1,1009:voltage:0.1,1010:frequency:0.01,1011:thd:0.1';
/** Raw Modbus values are 16- or 32-bit. */
export const RAW_MIN = -2147483648;
export const RAW_MAX = 4294967295;

export interface RegisterMap {
  registers: Int32Array;
  quantity: Uint8Array;
  scale: Float64Array;
  offset: Float64Array;
  /** Bit q set when some register holds quantity q. */
  mask: number;
}

/** Parses the `meterRegs` setting; a string is the reason it is refused. */
export function parseRegisterMap(text: string): RegisterMap | string {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (!items.length) return 'register map is empty';
  if (items.length > 16) return 'register map has more than 16 registers';
  const m: RegisterMap = {
    registers: new Int32Array(items.length),
    quantity: new Uint8Array(items.length),
    scale: new Float64Array(items.length),
    offset: new Float64Array(items.length),
    mask: 0,
  };
  for (let i = 0; i < items.length; i++) {
    const p = items[i]!.split(':');
    const reg = Number(p[0]);
    const q = QUANTITIES.indexOf(p[1] || '');
    const scale = p.length > 2 ? Number(p[2]) : 1;
    const offset = p.length > 3 ? Number(p[3]) : 0;
    if (p.length < 2 || p.length > 4 || !allDigits(p[0]!) || reg > 65535) return `register map: "${items[i]}" is not register:quantity[:scale[:offset]]`;
    if (q < 0) return `register map: unknown quantity "${p[1]}" (have ${QUANTITIES.join(', ')})`;
    if (!isFinite(scale) || scale === 0 || !isFinite(offset)) return `register map: bad scale or offset in "${items[i]}"`;
    if (m.mask & (1 << q)) return `register map: two registers hold ${QUANTITIES[q]}`;
    for (let j = 0; j < i; j++) if (m.registers[j] === reg) return `register map: register ${reg} twice`;
    m.registers[i] = reg;
    m.quantity[i] = q;
    m.scale[i] = scale;
    m.offset[i] = offset;
    m.mask |= 1 << q;
  }
  return m;
}

/** Decimal digits only, at least one (no RegExp: the device image is a snapshot without them). */
function allDigits(s: string): boolean {
  if (!s.length) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Slot of a register in the map, or -1. */
export function slotOf(m: RegisterMap, register: number): number {
  const r = m.registers;
  for (let i = 0; i < r.length; i++) if (r[i] === register) return i;
  return -1;
}
