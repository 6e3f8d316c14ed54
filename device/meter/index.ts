/**
 * Starts the meter anomaly detector from the app: `startMeterDetector(app)` once the MQTT client exists.
 * Settings: meters, meterRegs, alarmPin, meterScoreMs, meterStaleMs, meterFlood, meterNominalV, meterMainsHz
 * (device/settings/keys.ts).
 */
import { readSetting } from '../settings/read.ts';
import { parseIdList } from '../ids.ts';
import { onModelSwap } from '../ota/index.ts';
import { parseRegisterMap } from './registers.ts';
import { MeterDetector, type DetectorHost } from './detector.ts';

export function startMeterDetector(app: DetectorHost & { settings: { topicPrefix: string; deviceId: string; ledPin: number } }): MeterDetector | null {
  // Meter ids become topic levels: an invalid one is reported and not watched.
  const { ids: meters, errors } = parseIdList('meter', readSetting('meters'));
  for (let i = 0; i < errors.length; i++) app.reportError('meter not watched: ' + errors[i], { setting: 'meters' });
  // Watching no meter, the detector stays out of the way: no pins, no subscriptions, no say over models.
  if (!meters.length) return null;
  const map = parseRegisterMap(readSetting('meterRegs'));
  if (typeof map === 'string') {
    app.reportError('meter detector off: ' + map, { setting: 'meterRegs' });
    return null;
  }
  let alarmPin = readSetting('alarmPin');
  if (alarmPin >= 0 && (alarmPin === app.settings.ledPin || (alarmPin >= 6 && alarmPin <= 11) || alarmPin > 39)) {
    app.reportError('alarm LED off: alarmPin ' + alarmPin + ' is the command LED, a flash pin (6-11) or not a GPIO', { setting: 'alarmPin' });
    alarmPin = -1;
  }
  const d = new MeterDetector(app, {
    prefix: app.settings.topicPrefix,
    deviceId: app.settings.deviceId,
    meters,
    map,
    alarmPin,
    scoreMs: Math.max(0, readSetting('meterScoreMs')),
    staleMs: Math.max(100, readSetting('meterStaleMs')),
    floodPerSec: Math.max(1, readSetting('meterFlood')),
    nominalV: readSetting('meterNominalV') > 0 ? readSetting('meterNominalV') : 230,
    mainsHz: readSetting('meterMainsHz') === 60 ? 60 : 50,
    modelSlot: readSetting('modelSlot'),
  });
  d.start();
  onModelSwap((slot, version) => {
    const why = d.takeModel(slot, version);
    if (why) app.reportError('model ' + version + ' refused: ' + why, { kept: d.slot || 'none' });
    return why;
  });
  return d;
}

