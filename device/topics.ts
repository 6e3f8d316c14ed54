/** Every topic the spine uses, built once from the prefix and device id. */
export interface Topics {
  status: string;
  ledSet: string;
  fleetLedSet: string;
  ledState: string;
  health: string;
  error: string;
}

export function makeTopics(prefix: string, deviceId: string): Topics {
  const base = `${prefix}/${deviceId}`;
  return {
    status: `${base}/status`,
    ledSet: `${base}/led/set`,
    fleetLedSet: `${prefix}/all/led/set`,
    ledState: `${base}/led/state`,
    health: `${base}/health`,
    error: `${base}/error`,
  };
}
