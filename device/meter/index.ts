/**
 * Starts the meter anomaly detector from the app: `startMeterDetector(app)` once the MQTT client exists.
 * Settings: meters, meterRegs, alarmPin, meterScoreMs, meterStaleMs, meterFlood (device/settings/keys.ts).
 */
import { readSetting, writeState } from '../settings/read.ts';
import { onModelSwap } from '../ota/index.ts';
import { parseRegisterMap } from './registers.ts';
import { MeterDetector, type DetectorHost } from './detector.ts';

export function startMeterDetector(app: DetectorHost & { settings: { topicPrefix: string; deviceId: string; ledPin: number } }): MeterDetector | null {
  const meters = readSetting('meters').split(',').map((s) => s.trim()).filter((s) => s.length > 0 && s.indexOf('/') < 0 && s.indexOf('+') < 0 && s.indexOf('#') < 0);
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
    modelSlot: readSetting('modelSlot'),
  });
  d.start();
  let seqBefore = readSetting('otaSeqModel');
  onModelSwap((slot, version) => {
    const why = d.takeModel(slot, version);
    if (why === null) {
      seqBefore = version;
      return;
    }
    refuseModel(app, d.slot, seqBefore, version, why);
  });
  return d;
}

/**
 * The OTA receiver has already switched `modelSlot` and will publish "accepted" when this hook returns: put the
 * old slot (and the anti-rollback version) back now, and once the receiver is done, turn its final status into
 * a refusal with the reason (published retained on .../ota/status and kept in otaLast for after a restart).
 */
function refuseModel(app: DetectorHost & { settings: { topicPrefix: string; deviceId: string } }, keepSlot: string, seqBefore: number, version: number, why: string): void {
  writeState('modelSlot', keepSlot);
  native.log('warn', 'model ' + version + ' refused: ' + why);
  native.timerStart(1, false, () => {
    writeState('otaSeqModel', seqBefore);
    let st: { [k: string]: unknown } = {};
    try {
      st = JSON.parse(readSetting('otaLast')) as { [k: string]: unknown };
    } catch (e) {
      /* no final status saved: build one */
    }
    st.state = 'rejected';
    st.kind = 'model';
    st.version = version;
    st.reason = why;
    const running = (st.running || {}) as { [k: string]: unknown };
    running.model = keepSlot;
    if (Array.isArray(running.seq)) running.seq[2] = seqBefore;
    st.running = running;
    const json = JSON.stringify(st);
    writeState('otaLast', json);
    app.mqtt.publish(app.settings.topicPrefix + '/' + app.settings.deviceId + '/ota/status', json, { qos: 1, retain: true });
    app.reportError('model ' + version + ' refused: ' + why, { kept: keepSlot || 'none' });
  });
}
