import assert from 'node:assert/strict';
import { makeTopics, meterTopic, groupOtaOfferTopic, fleetLedSetTopic, anyIdFilter, topicOf, SUFFIX, FLEET_ID, GROUP_LEVEL } from '../../device/topics.ts';
import { flowSampler } from '../../host/meters/flow.ts';

describe('device/topics.ts: every topic of the fleet, defined once', () => {
  it('builds the per-device topics of the documented layout', () => {
    const t = makeTopics('esp', 'dev1', 'g1');
    assert.deepEqual(t, {
      status: 'esp/dev1/status',
      ledSet: 'esp/dev1/led/set',
      fleetLedSet: 'esp/all/led/set',
      ledState: 'esp/dev1/led/state',
      health: 'esp/dev1/health',
      error: 'esp/dev1/error',
      anomaly: 'esp/dev1/anomaly',
      otaOffer: 'esp/dev1/ota/offer',
      otaData: 'esp/dev1/ota/data',
      otaReq: 'esp/dev1/ota/req',
      otaStatus: 'esp/dev1/ota/status',
      otaGroupOffer: 'esp/group/g1/ota/offer',
    });
    assert.equal(makeTopics('x', 'd').otaGroupOffer, '', 'no group, no group topic');
    assert.equal(fleetLedSetTopic('p'), `p/${FLEET_ID}/led/set`);
    assert.equal(groupOtaOfferTopic('p', 'g'), `p/${GROUP_LEVEL}/g/ota/offer`);
    assert.equal(anyIdFilter('p', SUFFIX.otaStatus), 'p/+/ota/status');
    assert.equal(topicOf('p', 'm', SUFFIX.modbus), meterTopic('p', 'm'));
  });

  it('the meter gateway flow (Node-RED function code) publishes on meterTopic()', () => {
    const tick = flowSampler({ meters: ['m1', 'm2'], seed: 3, t0: 0, prefix: 'pfx' });
    const topics = new Set(tick().map((m) => m.topic));
    assert.deepEqual([...topics].sort(), [meterTopic('pfx', 'm1'), meterTopic('pfx', 'm2')]);
  });
});
