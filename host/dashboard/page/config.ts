/** What `jerrywatt dashboard` tells the page (config.json): where the broker's WebSocket listener is. */
export interface DashboardConfig {
  /** Full ws:// or wss:// URL; when absent the page uses its own host name with wsPort and wsPath. */
  wsUrl?: string;
  wsPort?: number;
  wsPath?: string;
  prefix: string;
  /**
   * Operators by user name, from the fleet registry (`--fleet`). Without it the page asks the broker instead: it
   * subscribes to the fleet command topic, which the embedded broker refuses viewers (SUBACK 0x80). mosquitto 2.0
   * grants that SUBACK to an MQTT 3.1.1 client and only withholds the messages, so a mosquitto fleet names them here.
   * Names only, no secrets; the broker's ACL refuses a viewer's publish either way.
   */
  operators?: string[];
  /** Chart history in ms of meter time (default 10 minutes). */
  historyMs?: number;
}

export function brokerWsUrl(c: DashboardConfig, loc: { protocol: string; hostname: string }): string {
  if (c.wsUrl) return c.wsUrl;
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  const host = loc.hostname.includes(':') ? `[${loc.hostname}]` : loc.hostname;
  return `${scheme}://${host}:${c.wsPort ?? 8083}${c.wsPath ?? '/mqtt'}`;
}
