/** What `jerrywatt dashboard` tells the page (config.json): where the broker's WebSocket listener is. */
export interface DashboardConfig {
  /** Full ws:// or wss:// URL; when absent the page uses its own host name with wsPort and wsPath. */
  wsUrl?: string;
  wsPort?: number;
  wsPath?: string;
  prefix: string;
  /** Chart history in ms of meter time (default 10 minutes). */
  historyMs?: number;
}

export function brokerWsUrl(c: DashboardConfig, loc: { protocol: string; hostname: string }): string {
  if (c.wsUrl) return c.wsUrl;
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  const host = loc.hostname.includes(':') ? `[${loc.hostname}]` : loc.hostname;
  return `${scheme}://${host}:${c.wsPort ?? 8083}${c.wsPath ?? '/mqtt'}`;
}
