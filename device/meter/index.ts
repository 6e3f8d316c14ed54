/**
 * Starts the meter anomaly detector from the app: `startMeterDetector(host, settings)` once the MQTT client exists.
 * The app reads the settings (device/settings/read.ts, MeterSettings) and wires the detector's model swap to the
 * OTA receiver itself (device/app.ts).
 */
import type { MeterSettings } from '../settings/read.ts';
import { parseIdList } from '../ids.ts';
import { parseRegisterMap } from './registers.ts';
import { MeterDetector, type DetectorHost } from './detector.ts';

export function startMeterDetector(host: DetectorHost, where: { topicPrefix: string; deviceId: string; ledPin: number }, s: MeterSettings): MeterDetector | null {
  // Meter ids become topic levels: an invalid one is reported and not watched.
  const { ids: meters, errors } = parseIdList('meter', s.meters);
  for (let i = 0; i < errors.length; i++) host.reportError('meter not watched: ' + errors[i], { setting: 'meters' });
  // Watching no meter, the detector stays out of the way: no pins, no subscriptions, no say over models.
  if (!meters.length) return null;
  const map = parseRegisterMap(s.meterRegs);
  if (typeof map === 'string') {
    host.reportError('meter detector off: ' + map, { setting: 'meterRegs' });
    return null;
  }
  let alarmPin = s.alarmPin;
  if (alarmPin >= 0 && (alarmPin === where.ledPin || (alarmPin >= 6 && alarmPin <= 11) || alarmPin > 39)) {
    host.reportError('alarm LED off: alarmPin ' + alarmPin + ' is the command LED, a flash pin (6-11) or not a GPIO', { setting: 'alarmPin' });
    alarmPin = -1;
  }
  const d = new MeterDetector(host, {
    prefix: where.topicPrefix,
    deviceId: where.deviceId,
    meters,
    map,
    alarmPin,
    scoreMs: s.scoreMs,
    staleMs: s.staleMs,
    floodPerSec: s.floodPerSec,
    nominalV: s.nominalV,
    mainsHz: s.mainsHz,
    modelSlot: s.modelSlot,
  });
  d.start();
  return d;
}
