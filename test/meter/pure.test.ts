import assert from 'node:assert/strict';
import { parseReading, parseNumberText, R_OK, R_MALFORMED, R_NO_REGISTER, R_BAD_VALUE, R_BAD_TS, type ParsedReading } from '../../device/meter/reading.ts';
import { parseRegisterMap, DEFAULT_REGISTER_MAP, Q_VOLTAGE, type RegisterMap } from '../../device/meter/registers.ts';
import { SampleAssembler, A_COMPLETE, A_PENDING, A_DUPLICATE, A_OUT_OF_ORDER, A_UNKNOWN_REGISTER, A_OUT_OF_RANGE } from '../../device/meter/assembler.ts';
import { MeterFeatures, METER_FEATURES, missingFeatures } from '../../device/meter/features.ts';

const enc = (s: string): Uint8Array => Buffer.from(s);
const map = (text = DEFAULT_REGISTER_MAP): RegisterMap => {
  const m = parseRegisterMap(text);
  if (typeof m === 'string') throw new Error(m);
  return m;
};

describe('meter: telemetry payloads (device parser, no JSON.parse)', () => {
  const r: ParsedReading = { register: 0, raw: 0, ts: 0 };
  it('reads the gateway payload, the old field names, numeric strings and payloads without ts', () => {
    assert.equal(parseReading(enc('{"register":1006,"raw":5012,"ts":1767225600000}'), r), R_OK);
    assert.deepEqual({ ...r }, { register: 1006, raw: 5012, ts: 1767225600000 });
    assert.equal(parseReading(enc(' { "Start register" : 1009 , "Raw data" : "2301" , "extra": {"a":[1,2,{"b":"}"}]}, "n": null } '), r), R_OK);
    assert.equal(r.register, 1009);
    assert.equal(r.raw, 2301);
    assert.ok(Number.isNaN(r.ts));
    assert.equal(parseReading(enc('{"register":1010,"raw":-12.5e1,"ts":5}'), r), R_OK);
    assert.equal(r.raw, -125);
  });
  it('refuses malformed payloads, missing registers, non-numeric raw values and bad ts', () => {
    const cases: Array<[string, number]> = [
      ['', R_MALFORMED],
      ['not json', R_MALFORMED],
      ['[1006, 5012]', R_MALFORMED],
      ['{"register":1006,"raw":5012', R_MALFORMED],
      ['{"register":1006,"raw":5012} trailing', R_MALFORMED],
      ['{"raw":5012,"ts":1}', R_NO_REGISTER],
      ['{"register":"x","raw":5012}', R_NO_REGISTER],
      ['{"register":1006}', R_BAD_VALUE],
      ['{"register":1006,"raw":"abc"}', R_BAD_VALUE],
      ['{"register":1006,"raw":true}', R_BAD_VALUE],
      ['{"register":1006,"raw":1e999}', R_BAD_VALUE],
      ['{"register":1006.5,"raw":1}', R_BAD_VALUE],
      ['{"register":1006,"raw":1,"ts":"yesterday"}', R_BAD_TS],
      ['{"register":1006,"raw":1,"ts":-4}', R_BAD_TS],
      ['{"register":1006,"raw":1,"pad":"' + 'x'.repeat(300) + '"}', R_MALFORMED],
    ];
    for (const [text, want] of cases) assert.equal(parseReading(enc(text), r), want, text);
  });
  it('reads numbers exactly as Number() does wherever it accepts them', () => {
    for (const t of ['0', '2301', '-7', '230.1', '0.001', '49.99', '1e3', '5012.000', '123456789012345', '-0.5e-3']) assert.equal(parseNumberText(t), Number(t), t);
    for (const t of ['', '-', '1.2.3', '1e', 'NaN', '0x10', '1234567890123456789']) assert.ok(Number.isNaN(parseNumberText(t)), t);
  });
});

describe('meter: register map', () => {
  it('parses the default map and refuses bad ones with the reason', () => {
    const m = map();
    assert.deepEqual(Array.from(m.registers), [1006, 1007, 1009, 1010, 1011]);
    assert.equal(m.scale[2], 0.1);
    assert.equal(m.mask, 0b11111);
    assert.match(parseRegisterMap('1006:amps:1') as string, /unknown quantity "amps"/);
    assert.match(parseRegisterMap('1006:current:1,1007:current:1') as string, /two registers hold current/);
    assert.match(parseRegisterMap('1006:current:0') as string, /bad scale/);
    assert.match(parseRegisterMap('x:current') as string, /not register:quantity/);
    assert.match(parseRegisterMap('') as string, /empty/);
    const offset = map('7:voltage:0.5:10,8:current,9:activePower,10:frequency:0.01');
    assert.equal(offset.offset[0], 10);
    assert.equal(offset.mask & (1 << 4), 0);
  });
});

describe('meter: sample assembly', () => {
  it('completes a sample when every register of one ts has arrived; counts partial samples, duplicates, out-of-order and unknown registers', () => {
    const a = new SampleAssembler(map());
    const regs = [1006, 1007, 1009, 1010, 1011];
    const raws = [5000, 1093, 2300, 5000, 25];
    regs.forEach((reg, i) => assert.equal(a.add(reg, raws[i]!, 1000), i < 4 ? A_PENDING : A_COMPLETE));
    assert.equal(a.values[Q_VOLTAGE], 230);
    assert.equal(a.add(1009, 2300, 1000), A_DUPLICATE);
    assert.equal(a.add(1009, 2300, 999), A_OUT_OF_ORDER);
    assert.equal(a.add(1234, 1, 2000), A_UNKNOWN_REGISTER);
    assert.equal(a.add(1009, 99999999999, 2000), A_OUT_OF_RANGE);
    assert.equal(a.add(1010, 999999, 2000), A_OUT_OF_RANGE); // 9999.99 Hz
    // 2000 misses a register, 3000 starts: 2000 is partial, never completed.
    for (const reg of [1006, 1007, 1009, 1010]) assert.equal(a.add(reg, 5000, 2000), A_PENDING);
    assert.equal(a.add(1006, 5000, 3000), A_PENDING);
    assert.equal(a.partial, 1);
    assert.equal(a.complete, 1);
  });
  it('groups readings without ts by rounds (a register seen again starts the next sample)', () => {
    const a = new SampleAssembler(map('1:voltage:1,2:current:1,3:activePower:1,4:frequency:0.01'));
    const got: number[] = [];
    for (let k = 0; k < 3; k++) for (const reg of [1, 2, 3, 4]) got.push(a.add(reg, reg === 4 ? 5000 : 100 + k, NaN));
    assert.deepEqual(got, [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});

describe('meter: features (defined once, shared with the host training)', () => {
  it('computes per-unit voltage, frequency deviation, apparent power, power factor, deltas and 5-sample rolling statistics', () => {
    const f = new MeterFeatures(230, 50);
    const q = new Float64Array(5);
    const at = (name: string): number => f.out[METER_FEATURES.indexOf(name)]!;
    const volts = [230, 232, 228, 161, 230, 231];
    volts.forEach((v, k) => {
      q.set([5 + k, v * (5 + k) * 0.9, v, 50 + k * 0.01, 2.5]);
      f.update(q);
    });
    assert.equal(at('apparentPower'), 231 * 10);
    assert.ok(Math.abs(at('powerFactor') - 0.9) < 1e-12);
    assert.ok(Math.abs(at('voltagePu') - 231 / 230) < 1e-12);
    assert.ok(Math.abs(at('dVoltagePu') - 1 / 230) < 1e-12);
    assert.equal(at('dCurrent'), 1);
    assert.ok(Math.abs(at('freqDevPct') - 0.1) < 1e-9);
    const last5 = volts.slice(1).map((v) => v / 230);
    const mean = last5.reduce((a, b) => a + b) / 5;
    assert.ok(Math.abs(at('voltageMean5Pu') - mean) < 1e-9);
    const std = Math.sqrt(last5.reduce((a, b) => a + (b - mean) ** 2, 0) / 5);
    assert.ok(Math.abs(at('voltageStd5Pu') - std) < 1e-9);
    assert.ok(Math.abs(at('currentStd5') - Math.sqrt(2)) < 1e-9);
    assert.ok(Math.abs(at('freqDevMean5Pct') - 0.06) < 1e-9);
    f.reset();
    f.update(q);
    assert.equal(at('dVoltagePu'), 0);
    assert.equal(at('voltageStd5Pu'), 0);
  });

  it('means the same at 120 V / 60 Hz as at 230 V / 50 Hz (nominal values are settings)', () => {
    const eu = new MeterFeatures(230, 50);
    const us = new MeterFeatures(120, 60);
    const q = new Float64Array(5);
    for (const [pu, dev] of [[1, 0], [0.97, 0.2], [0.6, -1.5], [1.12, 0.4]] as const) {
      q.set([5, 1000, 230 * pu, 50 * (1 + dev / 100), 2]);
      eu.update(q);
      q.set([5, 1000, 120 * pu, 60 * (1 + dev / 100), 2]);
      us.update(q);
      for (const name of ['voltagePu', 'freqDevPct', 'dVoltagePu', 'dFreqDevPct', 'voltageMean5Pu', 'voltageStd5Pu', 'freqDevMean5Pct', 'freqDevStd5Pct']) {
        const i = METER_FEATURES.indexOf(name);
        assert.ok(Math.abs(eu.out[i]! - us.out[i]!) < 1e-9, `${name}: ${eu.out[i]} vs ${us.out[i]}`);
      }
    }
  });

  it('names what a device cannot compute: unknown features, and features whose register the map lacks', () => {
    assert.deepEqual(missingFeatures(['voltagePu', 'thd', 'powerFactor'], map().mask), []);
    const noThd = map('1006:current:0.001,1007:activePower,1009:voltage:0.1,1010:frequency:0.01');
    assert.deepEqual(missingFeatures(['voltagePu', 'thd', 'rms_voltage'], noThd.mask), ['thd (no thd register)', 'rms_voltage (unknown)']);
  });
});
