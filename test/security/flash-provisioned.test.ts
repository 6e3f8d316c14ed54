/**
 * A board provisioned in one command: `flash --provisioned device.json` takes the device's id, broker, credentials
 * and CA from what `provision` wrote, into the settings image rows; the file must be private.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync } from 'node:fs';
import { collectSettings } from '../../host/flash/flash.ts';
import { settingsRows } from '../../host/flash/settings-image.ts';
import { provisionIdentity } from '../../host/security/fleet.ts';
import { makeFleet, type TestFleet } from './fleet-fixture.ts';

describe('security: flash --provisioned', () => {
  let fleet: TestFleet;
  before(() => {
    fleet = makeFleet();
  });
  after(() => fleet?.cleanup());

  const base = { baud: '921600', chip: 'esp32', appVersion: '1', set: [] as string[] };

  it('a certificate device: id, group, meters, broker, user, CA, certificate and key become settings rows', () => {
    const r = provisionIdentity(fleet.dir, { name: 'dev9', role: 'device', auth: 'cert', group: 'g9', meters: ['m9'], brokerUrl: 'mqtts://broker.lan:8883' });
    const { values, files } = collectSettings({ ...base, provisioned: r.files.deviceSettings, set: ['healthSec=5'] });
    assert.equal(values.deviceId, 'dev9');
    assert.equal(values.group, 'g9');
    assert.equal(values.meters, 'm9');
    assert.equal(values.brokerUrl, 'mqtts://broker.lan:8883');
    assert.equal(values.mqttUser, 'dev9');
    assert.equal(values.mqttCert, readFileSync(r.files.cert!, 'utf8'));
    assert.equal(values.mqttKey, readFileSync(r.files.key!, 'utf8'));
    assert.equal(values.mqttCa, fleet.caPem);
    const keys = settingsRows(values, files).map((x) => x.key);
    for (const k of ['devId', 'brokerUrl', 'mqttUser', 'mqttCa', 'mqttCert', 'mqttKey', 'healthSec']) assert.ok(keys.includes(k), k);
    assert.ok(settingsRows(values, files).find((x) => x.key === 'mqttKey')!.secret, 'the key is masked wherever the CSV is shown');
  });

  it('a password device gets its password; a flag overrides the file; a readable file is refused', () => {
    const r = provisionIdentity(fleet.dir, { name: 'dev8', role: 'device', auth: 'password' });
    const { values } = collectSettings({ ...base, provisioned: r.files.deviceSettings, broker: 'mqtts://other:8884' });
    assert.equal(values.mqttPass, readFileSync(r.files.password!, 'utf8').trim());
    assert.equal(values.brokerUrl, 'mqtts://other:8884');
    chmodSync(r.files.deviceSettings!, 0o644);
    assert.throws(() => collectSettings({ ...base, provisioned: r.files.deviceSettings }), /readable by others.*chmod 600/);
  });
});
