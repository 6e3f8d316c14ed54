import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NorFlash, PartitionView, FlashError } from '../../host/sim/flash.ts';
import { NvsStore } from '../../host/sim/nvs.ts';
import { ManualClock } from '../../host/sim/clock.ts';
import { OtaData } from '../../host/sim/otadata.ts';
import { readPartitions } from '../../host/partitions.ts';

describe('simulated storage', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'jw-store-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('NOR flash: erase to 0xFF in 4 KB sectors, writes only clear bits, over-writes are reported', () => {
    const reports: string[] = [];
    const f = new NorFlash(join(dir, 'f.bin'), 64 * 1024, (m) => reports.push(m));
    assert.equal(f.read(0, 4)[0], 0xff);
    f.write(10, Uint8Array.of(0x0f, 0xf0));
    assert.deepEqual([...f.read(10, 2)], [0x0f, 0xf0]);
    assert.equal(reports.length, 0);
    f.write(10, Uint8Array.of(0xf0));
    assert.equal(f.read(10, 1)[0], 0x00, 'AND of old and new, as on hardware');
    assert.equal(f.violations, 1);
    assert.match(reports[0]!, /unerased data at 0xa/);
    assert.throws(() => f.erase(100, 4096), FlashError);
    assert.throws(() => f.read(64 * 1024 - 1, 2), /out of range/);
    f.erase(0, 4096);
    assert.equal(f.read(10, 1)[0], 0xff);
    f.close();
    // Persisted: a new instance (a reboot) reads what was written.
    const f2 = new NorFlash(join(dir, 'f.bin'), 64 * 1024);
    f2.write(5000, Uint8Array.of(1, 2, 3));
    f2.close();
    assert.deepEqual([...new NorFlash(join(dir, 'f.bin'), 64 * 1024).read(5000, 3)], [1, 2, 3]);
  });

  it('partition views are bounded by their partition', () => {
    const parts = readPartitions();
    const app = parts.find((p) => p.name === 'app_a')!;
    const v = new PartitionView(new NorFlash(null), app);
    assert.throws(() => v.write(app.size - 1, Uint8Array.of(1, 2)), /outside the 196608-byte partition/);
  });

  it('NVS: 15-character keys, string and blob limits, capacity, persistence', () => {
    const s = new NvsStore(join(dir, 'nvs.json'), 0x3000);
    assert.match(s.set('sixteen-chars-xx', { t: 'i32', v: 1 })!, /1..15 characters/);
    assert.match(s.set('s', { t: 'str', v: 'x'.repeat(4000) })!, /over 4000 bytes/);
    assert.match(s.set('i', { t: 'i32', v: 2 ** 31 })!, /32-bit/);
    assert.equal(s.set('ok', { t: 'str', v: 'hello' }), null);
    let full: string | null = null;
    for (let i = 0; i < 1000 && !full; i++) full = s.set(`k${i}`, { t: 'str', v: 'x'.repeat(200) });
    assert.match(full!, /NVS partition full/);
    assert.deepEqual(new NvsStore(join(dir, 'nvs.json'), 0x3000).get('ok'), { t: 'str', v: 'hello' });
  });

  it('otadata follows the bootloader rollback rule', () => {
    const o = new OtaData(join(dir, 'otadata.json'));
    assert.equal(o.boot(), null);
    assert.equal(o.running, 'ota_0');
    o.setBoot('ota_1');
    assert.equal(new OtaData(join(dir, 'otadata.json')).boot(), null);
    const o2 = new OtaData(join(dir, 'otadata.json'));
    o2.boot(); // second boot without markValid: pending-verify -> aborted, back to ota_0
    assert.equal(o2.running, 'ota_0');
    assert.equal(o2.state('ota_1'), 'aborted');
  });

  it('the bootloader refuses a firmware slot whose image does not verify, and boots the other', () => {
    const o = new OtaData(join(dir, 'otadata.json'));
    o.boot();
    o.setBoot('ota_1');
    const note = new OtaData(join(dir, 'otadata.json')).boot((slot) => (slot === 'ota_1' ? 'checksum mismatch' : null));
    assert.match(note!, /ota_1 does not verify \(checksum mismatch\); booting ota_0/);
    const o2 = new OtaData(join(dir, 'otadata.json'));
    assert.equal(o2.state('ota_1'), 'invalid');
    assert.equal(o2.boot(), null);
    assert.equal(o2.running, 'ota_0');
  });

  it('the manual clock runs due timers in time order', () => {
    const c = new ManualClock();
    const seen: string[] = [];
    c.setTimer(30, () => seen.push('b'));
    c.setTimer(10, () => {
      seen.push('a');
      c.setTimer(5, () => seen.push('a2'));
    });
    const h = c.setTimer(20, () => seen.push('never'));
    c.clearTimer(h);
    c.advance(29);
    assert.deepEqual(seen, ['a', 'a2']);
    c.advance(1);
    assert.deepEqual(seen, ['a', 'a2', 'b']);
    assert.equal(c.now(), 30);
  });
});
