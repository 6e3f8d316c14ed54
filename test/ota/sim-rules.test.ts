/** The simulator's firmware-slot rules that OTA relies on, beside ESP-IDF's (host/sim/otadata.ts). */
import assert from 'node:assert/strict';
import { OtaData } from '../../host/sim/otadata.ts';

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
