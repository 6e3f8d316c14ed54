/**
 * The dashboard page: MQTT over WebSocket straight to the broker (the browser build of the `mqtt` package), a
 * model fed by every message, and a redraw per animation frame of only what changed. Credentials, when the broker
 * asks for them, live in this module's memory only: never in localStorage, sessionStorage or cookies.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { DashboardModel, type Connection } from './model.ts';
import { MeterChart } from './charts.ts';
import { renderDevices, renderErrors, renderEvents } from './view.ts';
import { brokerWsUrl, type DashboardConfig } from './config.ts';
import { dashboardSubscriptions } from './topics.ts';
import { ledPayload, ledTopic, type LedAction } from './led.ts';

/** What tests and the bench read from the page. */
interface PageStats {
  frames: number[];
  rendered: number;
  model: DashboardModel;
  operator: boolean;
}

declare global {
  interface Window {
    jw: PageStats;
  }
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

async function main(): Promise<void> {
  const config = (await (await fetch('config.json')).json()) as DashboardConfig;
  const url = brokerWsUrl(config, location);
  const model = new DashboardModel(config.prefix);
  const stats: PageStats = { frames: [], rendered: 0, model, operator: false };
  window.jw = stats;
  const charts = new Map<string, MeterChart>();
  let dirty = { devices: true, events: true, errors: true, meters: new Set<string>(), header: true };
  let client: MqttClient | null = null;

  const setConnection = (c: Connection) => {
    model.connection = c;
    dirty.header = true;
  };

  const connect = (username?: string, password?: string) => {
    client?.end(true);
    setConnection('connecting');
    const c = mqtt.connect(url, {
      protocolVersion: 4,
      clientId: `jw-dash-${Math.random().toString(16).slice(2, 10)}`,
      username,
      password,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      clean: true,
    });
    client = c;
    c.on('connect', () => {
      setConnection('online');
      $('login').hidden = true;
      c.subscribe(dashboardSubscriptions(config.prefix), { qos: 0 });
      // Operators may subscribe to the command topic; a viewer's broker ACL refuses it (SUBACK 0x80).
      c.subscribe(ledTopic(config.prefix, 'all'), { qos: 0 }, (err, granted) => {
        const ok = !err && !!granted && granted.length > 0 && granted[0]!.qos !== 128;
        stats.operator = ok;
        if (ok) c.unsubscribe(ledTopic(config.prefix, 'all'));
        dirty.devices = true;
        dirty.header = true;
      });
    });
    c.on('reconnect', () => setConnection('reconnecting'));
    c.on('close', () => {
      if (model.connection === 'online') setConnection('reconnecting');
    });
    c.on('error', (err: Error & { code?: number }) => {
      // CONNACK 4 (bad user name or password) or 5 (not authorized): ask the user, stop retrying.
      if (err.code === 4 || err.code === 5) {
        c.end(true);
        setConnection('login');
        $('login').hidden = false;
        $('login-error').textContent = username ? 'the broker refused these credentials' : '';
      }
    });
    c.on('message', (topic, payload) => {
      const ch = model.ingest(topic, payload, Date.now());
      if (ch.devices) dirty.devices = true;
      if (ch.events) dirty.events = true;
      if (ch.errors) dirty.errors = true;
      if (ch.meter) dirty.meters.add(ch.meter);
      dirty.header = true;
    });
  };

  $('login').addEventListener('submit', (e) => {
    e.preventDefault();
    const user = $<HTMLInputElement>('user');
    const pass = $<HTMLInputElement>('pass');
    const u = user.value;
    const p = pass.value;
    pass.value = '';
    connect(u, p);
  });

  const publishLed = (device: string, action: LedAction) => {
    if (!client || !stats.operator) return;
    client.publish(ledTopic(config.prefix, device), ledPayload(action, Math.random().toString(16).slice(2, 10)), { qos: 1 });
  };
  document.addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest('button');
    if (!b) return;
    if (b.dataset.fleet) publishLed('all', b.dataset.fleet as LedAction);
    else if (b.dataset.led && b.dataset.device) publishLed(b.dataset.device, b.dataset.led as LedAction);
  });

  const metersEl = $('meters');
  const chartWidth = () => Math.max(300, Math.min(metersEl.clientWidth, (metersEl.firstElementChild as HTMLElement | null)?.clientWidth ?? 460) - 18);
  window.addEventListener('resize', () => {
    for (const ch of charts.values()) ch.resize(chartWidth());
  });

  let last = performance.now();
  const frame = (t: number) => {
    stats.frames.push(t - last);
    if (stats.frames.length > 2000) stats.frames.splice(0, 1000);
    last = t;
    const d = dirty;
    dirty = { devices: false, events: false, errors: false, meters: new Set(), header: false };
    if (d.header) {
      const conn = $('conn');
      conn.dataset.state = model.connection;
      conn.textContent = model.connection;
      $('msgs').textContent = String(model.messages);
      $('garbage').textContent = String(model.garbage);
      $('role').textContent = model.connection === 'online' ? (stats.operator ? 'operator' : 'read-only') : '';
      $('fleet').hidden = !stats.operator;
    }
    if (d.devices) renderDevices($('devices').querySelector('tbody')!, model.deviceList(), stats.operator);
    if (d.events) renderEvents($('events').querySelector('tbody')!, model.events);
    if (d.errors) renderErrors($('errors').querySelector('tbody')!, model.errors);
    for (const id of d.meters) {
      const m = model.meters.get(id);
      if (!m) continue;
      let ch = charts.get(id);
      if (!ch) {
        ch = new MeterChart(metersEl, id, 440);
        charts.set(id, ch);
        const sorted = [...charts.values()].sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
        for (const c of sorted) metersEl.append(c.el);
        ch.resize(chartWidth());
      }
      ch.update(m);
    }
    stats.rendered++;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  connect();
}

main().catch((err: unknown) => {
  const p = document.createElement('p');
  p.className = 'error';
  p.textContent = `dashboard failed to start: ${String(err)}`;
  document.body.prepend(p);
});
