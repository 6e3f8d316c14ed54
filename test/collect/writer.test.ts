import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CsvWriter, type WriterIo } from '../../host/collect/writer.ts';
import * as fs from 'node:fs';
import { seedFromDir } from '../../host/collect/resume.ts';
import { RecentKeys } from '../../host/collect/dedup.ts';

describe('collect: CSV writer', () => {
  let dir: string;
  let t: number;
  const now = () => t;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jw-collect-'));
    t = Date.UTC(2026, 0, 1, 0, 0, 0);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes all-messages, per-register and counts files that csv-parse reads back with the old column names', () => {
    const w = new CsvWriter(dir, { maxBytes: 0, maxAgeMs: 0 }, now);
    w.write({ meter: 'm1', register: 1006, raw: '5012', ts: '1' }, 'esp/m1/modbus');
    w.write({ meter: 'm1', register: 1009, raw: '2300', ts: '1' }, 'esp/m1/modbus');
    w.write({ meter: 'm2', register: 1006, raw: '7001', ts: '1' }, 'esp/m2/modbus');
    w.close();
    w.close(); // idempotent
    assert.deepEqual(readdirSync(dir).sort(), [
      'mqtt_all_messages_20260101_000000.csv',
      'mqtt_messages_1006_20260101_000000.csv',
      'mqtt_messages_1009_20260101_000000.csv',
      'mqtt_register_counts_20260101_000000.csv',
    ]);
    const all = parse(readFileSync(join(dir, 'mqtt_all_messages_20260101_000000.csv')), { columns: true }) as Array<Record<string, string>>;
    assert.deepEqual(all.map((r) => [r.meter, r['Start register'], r['Raw data'], r.ts]), [
      ['m1', '1006', '5012', '1'],
      ['m1', '1009', '2300', '1'],
      ['m2', '1006', '7001', '1'],
    ]);
    const r1006 = parse(readFileSync(join(dir, 'mqtt_messages_1006_20260101_000000.csv')), { columns: true }) as Array<Record<string, string>>;
    assert.deepEqual(r1006.map((r) => r['Raw data']), ['5012', '7001']);
    assert.equal(readFileSync(join(dir, 'mqtt_register_counts_20260101_000000.csv'), 'utf8'), 'meter,Start register,Count\nm1,1006,1\nm1,1009,1\nm2,1006,1\n');
  });

  it('rotates by age (also from tick() with no message) and by size, never overwriting a set of the same second', () => {
    const w = new CsvWriter(dir, { maxBytes: 0, maxAgeMs: 60_000 }, now);
    w.write({ meter: 'm', register: 1006, raw: '1', ts: '1' }, 'esp/m/modbus');
    t += 59_999;
    w.tick();
    w.write({ meter: 'm', register: 1006, raw: '2', ts: '2' }, 'esp/m/modbus');
    t += 1;
    w.tick(); // rotates: the counts file of the first set appears
    assert.ok(readdirSync(dir).includes('mqtt_register_counts_20260101_000000.csv'));
    w.write({ meter: 'm', register: 1006, raw: '3', ts: '3' }, 'esp/m/modbus');
    w.close();
    const sizes = new CsvWriter(dir, { maxBytes: 200, maxAgeMs: 0 }, now);
    for (let i = 0; i < 10; i++) sizes.write({ meter: 'm', register: 1007, raw: String(i), ts: String(i) }, 'esp/m/modbus');
    sizes.close();
    const allFiles = readdirSync(dir).filter((f) => f.startsWith('mqtt_all_messages_')).sort();
    assert.ok(allFiles.length >= 4, allFiles.join(' '));
    assert.ok(allFiles.includes('mqtt_all_messages_20260101_000100.csv'));
    assert.ok(allFiles.includes('mqtt_all_messages_20260101_000100_2.csv'), 'same second: suffixed, not overwritten');
    let rows = 0;
    for (const f of allFiles) {
      const text = readFileSync(join(dir, f));
      if (basename(f).startsWith('mqtt_all_messages_20260101_000100_')) assert.ok(text.length < 200 + 70, `${f} is ${text.length} bytes: at most one row past the limit`);
      rows += (parse(text, { columns: true }) as unknown[]).length;
    }
    assert.equal(rows, 13);
  });

  it('opens a per-register file only for the register map; any other register goes to the all-messages file only', () => {
    const w = new CsvWriter(dir, { maxBytes: 0, maxAgeMs: 0 }, now);
    for (let reg = 0; reg < 2000; reg++) w.write({ meter: 'm', register: reg, raw: '1', ts: String(reg) }, 'esp/m/modbus');
    w.write({ meter: 'm', register: 1011, raw: '25', ts: 'x' }, 'esp/m/modbus');
    w.close();
    const perRegister = readdirSync(dir).filter((f) => f.startsWith('mqtt_messages_')).sort();
    assert.deepEqual(perRegister, [1006, 1007, 1009, 1010, 1011].map((r) => `mqtt_messages_${r}_20260101_000000.csv`));
    const all = parse(readFileSync(join(dir, 'mqtt_all_messages_20260101_000000.csv')), { columns: true }) as unknown[];
    assert.equal(all.length, 2001);
    const custom = new CsvWriter(join(dir, 'custom'), { maxBytes: 0, maxAgeMs: 0 }, now, [3]);
    custom.write({ meter: 'm', register: 3, raw: '1', ts: '1' }, 't');
    custom.write({ meter: 'm', register: 1006, raw: '1', ts: '1' }, 't');
    custom.close();
    assert.deepEqual(readdirSync(join(dir, 'custom')).filter((f) => f.startsWith('mqtt_messages_')), ['mqtt_messages_3_20260101_000000.csv']);
  });

  it('throws a write error to the caller and still closes every file', () => {
    const open = new Set<number>();
    let failWrites = false;
    const io: WriterIo = {
      openSync: (p, f) => {
        const fd = fs.openSync(p, f);
        open.add(fd);
        return fd;
      },
      writeSync: (fd, d) => {
        if (failWrites) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return fs.writeSync(fd, d);
      },
      closeSync: (fd) => {
        open.delete(fd);
        fs.closeSync(fd);
      },
      writeFileSync: (p, d) => {
        if (failWrites) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        fs.writeFileSync(p, d);
      },
    };
    const w = new CsvWriter(dir, { maxBytes: 0, maxAgeMs: 0 }, now, undefined, io);
    w.write({ meter: 'm', register: 1006, raw: '1', ts: '1' }, 'esp/m/modbus');
    failWrites = true;
    assert.throws(() => w.write({ meter: 'm', register: 1007, raw: '1', ts: '2' }, 'esp/m/modbus'), /ENOSPC/);
    assert.throws(() => w.close(), /ENOSPC/, 'the counts file cannot be written either');
    assert.equal(open.size, 0, 'every descriptor closed');
  });

  it('seeds de-duplication keys from the newest all-messages file', () => {
    const w = new CsvWriter(dir, { maxBytes: 0, maxAgeMs: 0 }, now);
    w.write({ meter: 'm', register: 1006, raw: '1', ts: '10' }, 'esp/m/modbus');
    w.write({ meter: 'm', register: 1006, raw: '1', ts: '' }, 'esp/m/modbus');
    w.close();
    const keys = new RecentKeys();
    assert.equal(seedFromDir(dir, keys), 1);
    assert.equal(keys.add(RecentKeys.key('m', 1006, '10')), false);
    assert.equal(seedFromDir(join(dir, 'missing'), new RecentKeys()), 0);
  });
});
