/** The simulator's firmware-slot and partition rules that OTA relies on, beside ESP-IDF's (host/sim/otadata.ts, native/partitions.ts). */
import assert from 'node:assert/strict';
import { OtaData } from '../../host/sim/otadata.ts';
import { NorFlash } from '../../host/sim/flash.ts';
import { createSandbox } from '../../host/sim/sandbox.ts';
import { partitionsNative } from '../../host/sim/native/partitions.ts';
import type { BoardContext } from '../../host/sim/native/context.ts';
import { readPartitions } from '../../host/partitions.ts';

describe('simulated otadata: rollback only to a usable slot (esp_ota_check_rollback_is_possible)', () => {
  it('rolls back from a pending-verify ota_1 to a valid ota_0, and not to an invalid, aborted or never-written slot', () => {
    const o = new OtaData(null);
    assert.equal(o.boot(), null);
    o.setBoot('ota_1');
    o.boot();
    assert.deepEqual([o.running, o.state('ota_1')], ['ota_1', 'pending-verify']);
    assert.equal(o.canRollback(), true);
    assert.equal(o.rollback(), true);
    o.boot();
    assert.deepEqual([o.running, o.state('ota_1')], ['ota_0', 'invalid']);
    // Now ota_1 is invalid: from ota_0 there is nothing to roll back to, and nothing changes.
    assert.equal(o.canRollback(), false);
    assert.equal(o.rollback(), false);
    o.boot();
    assert.deepEqual([o.running, o.state('ota_0')], ['ota_0', 'valid']);
    const fresh = new OtaData(null);
    fresh.boot();
    assert.equal(fresh.rollback(), false, 'ota_1 never written');
  });
});

describe('simulated partitions: partMap maps data partitions only, like native/esp/part.c', () => {
  const native = () => {
    const ctx = { partitions: new Map(readPartitions().map((p) => [p.name, p])), flash: new NorFlash(null), sandbox: createSandbox({}) } as unknown as BoardContext;
    return partitionsNative(ctx);
  };

  it('refuses the firmware slots (app partitions) with a RangeError (ERANGE, as the C binding) naming the slot; partRead reads them', () => {
    const n = native();
    for (const slot of ['ota_0', 'ota_1']) {
      assert.throws(() => n.partMap(slot, 0, 16), (e: Error & { code?: string }) => e instanceof RangeError && e.code === 'ERANGE' && e.message.includes(`"${slot}"`) && /partMap is for data partitions/.test(e.message), slot);
      assert.equal(n.partRead(slot, 0, 4096).byteLength, 4096);
    }
  });

  it('maps app-image and model slots (data partitions); partRead refuses more than 64 KB at once, like the device', () => {
    const n = native();
    for (const slot of ['app_a', 'app_b', 'model_a', 'model_b']) assert.deepEqual([...new Uint8Array(n.partMap(slot, 0, 4))], [0xff, 0xff, 0xff, 0xff], slot);
    assert.throws(() => n.partRead('model_a', 0, 64 * 1024 + 1), RangeError);
    assert.equal(n.partRead('model_a', 0, 64 * 1024).byteLength, 64 * 1024);
  });
});
