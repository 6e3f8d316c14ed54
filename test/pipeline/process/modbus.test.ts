import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MalformedRowError,
  decodeRaw,
  loadProcessedDataset,
  processModbusCsv,
  writeProcessedCsv,
} from '../../../host/pipeline/process/index.ts';

describe('process: Modbus telemetry', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'jw-modbus-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it("pairs without ts by the device's rule, and writes the prototype columns", async () => {
    const p = file('order.csv', [
      'Start register,Raw data',
      '1006,5.1', '1007,1100', '1009,231', '1010,50.01',
      '1006,6.2', '1007,1300', '1009,199', '1010,50.8',
      '1009,230', // a third voltage with no partners
    ].join('\n'));
    const { rows, skipped, notes } = await processModbusCsv([p], {});
    assert.equal(skipped.count, 0);
    assert.equal(rows.length, 2);
    assert.deepEqual(
      rows.map((r) => [r.current, r.voltage, r.activePower, r.frequency, r.voltageIssue, r.frequencyIssue, r.currentIssue]),
      [[5.1, 231, 1100, 50.01, 0, 0, 0], [6.2, 199, 1300, 50.8, 1, 1, 0]],
    );
    assert.ok(notes.some((n) => /device's rule/.test(n)) && notes.some((n) => /1 readings/.test(n)), notes.join('; '));
    const out = join(dir, 'processed.csv');
    await writeProcessedCsv(out, rows);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'Raw data_Current,Current_Issue,Raw data_Voltage,Voltage_Issue,Active_Power,Frequency,Frequency_Issue');
    assert.equal(lines[2], '6.2,0,199,1,1300,50.8,1');
    const { dataset } = await loadProcessedDataset(out);
    assert.deepEqual(dataset.featureNames, ['Raw data_Current', 'Raw data_Voltage', 'Active_Power', 'Frequency']);
    assert.deepEqual(Array.from(dataset.target), [0, 1]);
  });

  it('aligns per meter by time when ts and meter are present, whatever the row order', async () => {
    const t0 = Date.UTC(2026, 0, 1);
    const r = (meter: string, reg: number, raw: number, dt: number): string => `${reg},${raw},${meter},${t0 + dt}`;
    const p = file('ts.csv', [
      'Start register,Raw data,meter,ts',
      r('m2', 1009, 240, 10), r('m1', 1009, 230, 0), r('m1', 1006, 1, 5), r('m2', 1006, 2, 15),
      r('m1', 1007, 100, 8), r('m1', 1010, 50, 9), r('m2', 1007, 200, 20), r('m2', 1010, 50.2, 30),
      // m1's second poll, 60 s later, written before its voltage
      r('m1', 1006, 3, 60005), r('m1', 1007, 300, 60006), r('m1', 1010, 49, 60007), r('m1', 1009, 210, 60000),
      // m2's current with no voltage near it
      r('m2', 1006, 9, 90000),
    ].join('\n'));
    const { rows, notes } = await processModbusCsv([p], { alignToleranceMs: 1000 });
    const byMeter = (m: string) => rows.filter((x) => x.meter === m).map((x) => [x.voltage, x.current, x.activePower, x.frequency]);
    assert.deepEqual(byMeter('m1'), [[230, 1, 100, 50], [210, 3, 300, 49]]);
    assert.deepEqual(byMeter('m2'), [[240, 2, 200, 50.2]]);
    assert.ok(rows.every((x) => x.ts !== undefined));
    assert.ok(notes.some((n) => /by time/.test(n)));
  });

  it("reads jerrywatt collect's files (Time, Topic, ..., meter, ts), using Time where ts is empty", async () => {
    const p = file('collect.csv', [
      'Time,Topic,Start register,Raw data,meter,ts',
      '2026-01-01T00:00:00.100Z,esp/a/modbus,1009,231,a,1767225600000',
      '2026-01-01T00:00:00.200Z,esp/a/modbus,1006,4,a,1767225600050',
      '2026-01-01T00:00:00.300Z,esp/a/modbus,1007,900,a,',
      '2026-01-01T00:00:00.400Z,esp/a/modbus,1010,50,a,1767225600090',
    ].join('\n'));
    const { rows, skipped } = await processModbusCsv([p], {});
    assert.equal(skipped.count, 0);
    assert.deepEqual(rows.map((r) => [r.meter, r.voltage, r.current, r.activePower, r.frequency]), [['a', 231, 4, 900, 50]]);
  });

  it('applies a configurable register map with scaling and 32-bit word pairs', async () => {
    assert.equal(decodeRaw('2301', { quantity: 'voltage', scale: 0.1 }), 230.1);
    assert.equal(decodeRaw('[1, 2]', { quantity: 'current', scale: 0.001 }), (65536 + 2) * 0.001);
    assert.equal(decodeRaw('[1, 2]', { quantity: 'current', wordOrder: 'little' }), 2 * 65536 + 1);
    assert.equal(decodeRaw('[65535]', { quantity: 'activePower', signed: true }), -1);
    const p = file('entes.csv', ['Start register,Raw data', '3,2301', '4,5000', '5,1200', '6,5001'].join('\n'));
    const { rows } = await processModbusCsv([p], {
      registerMap: {
        '3': { quantity: 'voltage', scale: 0.1 },
        '4': { quantity: 'current', scale: 0.001 },
        '5': { quantity: 'activePower' },
        '6': { quantity: 'frequency', scale: 0.01 },
      },
    });
    assert.equal(rows.length, 1);
    assert.ok(Math.abs(rows[0].voltage - 230.1) < 1e-9 && Math.abs(rows[0].current - 5) < 1e-9 && Math.abs(rows[0].frequency - 50.01) < 1e-9);
    await assert.rejects(processModbusCsv([p], { registerMap: { '3': { quantity: 'voltage' } } }), /no register for current/);
  });

  it("pairs readings without ts by the device's rule: a lost reading costs one sample, never shifts the later rows", async () => {
    const poll = (i: number, skip?: number): string[] =>
      [[1006, 5 + i], [1007, 1000 + i], [1009, 230 + i], [1010, 50 + i / 100]].filter(([r]) => r !== skip).map(([r, v]) => `${r},${v}`);
    // Poll 1 lost its active power; by order, every later row would mix values of two polls.
    const p = file('lost.csv', ['Start register,Raw data', ...poll(0), ...poll(1, 1007), ...poll(2), ...poll(3)].join('\n'));
    const { rows, notes } = await processModbusCsv([p], {});
    assert.deepEqual(rows.map((r) => [r.current, r.activePower, r.voltage, r.frequency]), [
      [5, 1000, 230, 50],
      [7, 1002, 232, 50.02],
      [8, 1003, 233, 50.03],
    ]);
    assert.ok(notes.some((n) => /3 readings had no partner/.test(n)), notes.join('; '));
  });

  it('registers outside the map are counted, never errors, also with --strict', async () => {
    const p = file('extra.csv', ['Start register,Raw data', '1006,5', '1008,77', '1007,900', '1009,230', '1010,50', '1008,78', '2000,1'].join('\n'));
    const { rows, skipped, outsideMap } = await processModbusCsv([p], { strict: true });
    assert.equal(rows.length, 1);
    assert.equal(skipped.count, 0);
    assert.deepEqual([...outsideMap].sort((a, b) => a[0] - b[0]), [[1008, 2], [2000, 1]]);
  });

  it("takes the device's register-map syntax (one syntax for process, train and retrain), and says so when given JSON", async () => {
    const { buildRegisterMap } = await import('../../../host/pipeline/process/run.ts');
    const m = await buildRegisterMap('3:voltage:0.1,4:current:0.001,5:activePower,6:frequency:0.01,7:thd:0.1', ['8=current:0.002']);
    assert.deepEqual(m['3'], { quantity: 'voltage', scale: 0.1, offset: 0 });
    assert.deepEqual(m['8'], { quantity: 'current', scale: 0.002, offset: 0 });
    assert.equal(m['4'], undefined, 'the override replaced the current register');
    assert.equal(m['7'], undefined, 'thd is not a process quantity');
    await assert.rejects(buildRegisterMap('map.json', []), /device's syntax/);
    await assert.rejects(buildRegisterMap('3:volts', []), /unknown quantity/);
  });

  it('counts and skips malformed rows with their row numbers; --strict fails at the first with file and row', async () => {
    const p = file('bad.csv', [
      'Start register,Raw data',
      '1006,5', '1007,abc', '1009,230', '1010,50',
      '1234,7', // unknown register
      '1006', // missing column
      '1007,NaN',
      '1007,900',
    ].join('\n'));
    const { rows, skipped, outsideMap, notes } = await processModbusCsv([p], {});
    assert.equal(rows.length, 1);
    assert.equal(skipped.count, 3);
    assert.deepEqual(skipped.first.map((s) => s.row), [3, 7, 8]);
    // A register outside the map is not malformed: counted and reported.
    assert.deepEqual([...outsideMap], [[1234, 1]]);
    assert.ok(notes.some((n) => /1 readings of registers outside the map.*1234 x1/.test(n)), notes.join('; '));
    await assert.rejects(processModbusCsv([p], { strict: true }), (err: unknown) => {
      assert.ok(err instanceof MalformedRowError);
      assert.equal(err.row, 3);
      assert.match(err.message, /bad\.csv: row 3: Raw data "abc" is not a number/);
      return true;
    });
  });
});
