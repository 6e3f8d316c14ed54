import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTimestampMs } from '../../../host/pipeline/timestamp.ts';
import { parseTs, processModbusCsv } from '../../../host/pipeline/process/index.ts';
import { loadMeterDataset } from '../../../host/pipeline/meter/index.ts';

describe('timestamps: one reading for process and train --features meter', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'jw-ts-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('numbers are epoch milliseconds (never seconds), ISO text is UTC unless it has a zone', () => {
    assert.equal(parseTimestampMs('1767225600000'), 1_767_225_600_000);
    assert.equal(parseTimestampMs('12'), 12, 'a small number is ms, not 12 s');
    assert.equal(parseTs, parseTimestampMs, 'process reads ts with the shared function');
    assert.equal(parseTimestampMs(' 1.5e3 '), 1500);
    assert.equal(parseTimestampMs('2026-01-01T00:00:00.100Z'), Date.UTC(2026, 0, 1, 0, 0, 0, 100));
    assert.equal(parseTimestampMs('2026-01-01 00:00:01'), Date.UTC(2026, 0, 1, 0, 0, 1));
    assert.equal(parseTimestampMs('2026-01-01T02:00:00+02:00'), Date.UTC(2026, 0, 1));
    for (const bad of ['', '   ', undefined, 'abc', '-5']) assert.ok(Number.isNaN(parseTimestampMs(bad)), String(bad));
  });

  it('process and the meter data set agree on a collected CSV whose ts is a small millisecond clock', async () => {
    // Two samples 5 ms apart on a relative ms clock; each sample's readings within 3 ms. As seconds they would be
    // 3 s apart inside a sample (beyond process's 2 s tolerance) and nothing would align.
    const regs: Array<[number, number]> = [[1006, 5000], [1007, 1093], [1009, 2300], [1010, 5000], [1011, 25]];
    const lines = ['Time,Topic,Start register,Raw data,meter,ts'];
    for (const t0 of [10, 20]) regs.forEach(([reg, raw], j) => lines.push(`2026-01-01T00:00:00.000Z,esp/m1/modbus,${reg},${raw},m1,${t0 + (reg === 1009 ? 0 : j === 0 ? 3 : 0)}`));
    const p = join(dir, 'mqtt_all_messages_20260101_000000.csv');
    writeFileSync(p, lines.join('\n') + '\n');
    const { rows } = await processModbusCsv([p], { alignToleranceMs: 2000, registerMap: { '1006': { quantity: 'current' }, '1007': { quantity: 'activePower' }, '1009': { quantity: 'voltage' }, '1010': { quantity: 'frequency' } } });
    assert.equal(rows.length, 2, 'process pairs readings 3 ms apart');
    assert.deepEqual(rows.map((r) => Number(r.ts)), [10, 20]);
    const meter = await loadMeterDataset({ csv: [p] });
    // The meter path groups readings by exact ts: the current reading at t0+3 is another sample there, so check
    // only that it read the same ms values (none skipped as an unreadable time).
    assert.equal(meter.skipped.count, 0);
  });
});
