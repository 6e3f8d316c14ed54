/**
 * The dashboard page: MQTT over WebSocket straight to the broker (the browser build of the `mqtt` package), a
 * model fed by every message, and a redraw per animation frame of only what changed. Credentials, when the broker
 * asks for them, live in this module's memory only: never in localStorage, sessionStorage or cookies.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { DashboardModel, DEFAULT_LIMITS, type Connection } from './model.ts';
import { MeterChart } from './charts.ts';
import { DeviceTable, RecentList, errorRow, eventRow } from './view.ts';
import type { ErrorEntry, EventEntry } from './model.ts';
import { brokerWsUrl, type DashboardConfig } from './config.ts';
import { dashboardSubscriptions } from './topics.ts';
import { FLEET_ID } from '../../../device/topics.ts';
import { ledPayload, ledTopic, nextSeq, type LedAction } from './led.ts';

/** What tests and the bench read from the page. */
interface PageStats {
  /** Time spent in each animation frame's redraw, ms (the last 1,000 or so). */
  work: number[];
  /** Time between animation frames, ms. */
  intervals: number[];
  rendered: number;
  model: DashboardModel;
  operator: boolean;
  /** False until the page knows whether the user may operate (the controls stay hidden meanwhile). */
  roleKnown: boolean;
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
  const model = new DashboardModel(config.prefix, config.historyMs ? { ...DEFAULT_LIMITS, historyMs: config.historyMs } : DEFAULT_LIMITS);
  const stats: PageStats = { work: [], intervals: [], rendered: 0, model, operator: false, roleKnown: false };
  window.jw = stats;
  const charts = new Map<string, MeterChart>();
  // What changed since the last frame. Charts redraw at most every CHART_MS each, and a frame stops redrawing
  // charts once FRAME_BUDGET_MS is spent (the rest wait for the next frame), so a burst never stalls the page.
  const CHART_MS = 500;
  const FRAME_BUDGET_MS = 6;
  const dirty = { devices: new Set<string>(), allDevices: true, events: true, errors: true, meters: new Set<string>(), header: true };
  const chartDrawn = new Map<string, number>();
  const devicesTable = new DeviceTable($('devices').querySelector('tbody')!);
  const eventList = new RecentList<EventEntry>($('events').querySelector('tbody')!, eventRow);
  const errorList = new RecentList<ErrorEntry>($('errors').querySelector('tbody')!, errorRow);
  let client: MqttClient | null = null;

  const setConnection = (c: Connection) => {
    model.connection = c;
    dirty.header = true;
  };

  // The sender of LED commands: the MQTT username once logged in, else an id of this page.
  const pageId = `dash-${Math.random().toString(16).slice(2, 10)}`;
  let sender = pageId;
  let lastSeq = 0;
  const connect = (username?: string, password?: string) => {
    sender = username || pageId;
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
      const decided = (ok: boolean) => {
        stats.operator = ok;
        stats.roleKnown = true;
        dirty.allDevices = true;
        dirty.header = true;
      };
      if (config.operators) decided(config.operators.includes(username ?? ''));
      else
        // Operators may subscribe to the command topic; the embedded broker refuses a viewer's (SUBACK 0x80).
        c.subscribe(ledTopic(config.prefix, FLEET_ID), { qos: 0 }, (err, granted) => {
          const ok = !err && !!granted && granted.length > 0 && granted[0]!.qos !== 128;
          if (ok) c.unsubscribe(ledTopic(config.prefix, FLEET_ID));
          decided(ok);
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
      if (ch.device) dirty.devices.add(ch.device);
      else if (ch.devices) dirty.allDevices = true;
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
    lastSeq = nextSeq(lastSeq, Date.now());
    client.publish(ledTopic(config.prefix, device), ledPayload(action, Math.random().toString(16).slice(2, 10), sender, lastSeq), { qos: 1 });
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
    const started = performance.now();
    stats.intervals.push(t - last);
    last = t;
    const d = dirty;
    if (d.header) {
      d.header = false;
      const conn = $('conn');
      conn.dataset.state = model.connection;
      conn.textContent = model.connection;
      $('msgs').textContent = String(model.messages);
      $('garbage').textContent = String(model.garbage);
      $('role').textContent = model.connection === 'online' && stats.roleKnown ? (stats.operator ? 'operator' : 'read-only') : '';
      $('fleet').hidden = !stats.operator;
    }
    if (d.allDevices || d.devices.size) {
      devicesTable.render(model, d.allDevices ? null : d.devices, stats.operator);
      d.allDevices = false;
      d.devices.clear();
    }
    if (d.events) eventList.render(model.events, model.eventCount);
    if (d.errors) errorList.render(model.errors, model.errorCount);
    d.events = d.errors = false;
    for (const id of d.meters) {
      if (performance.now() - started > FRAME_BUDGET_MS) break;
      if (t - (chartDrawn.get(id) ?? -Infinity) < CHART_MS) continue;
      chartDrawn.set(id, t);
      d.meters.delete(id);
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
    stats.work.push(performance.now() - started);
    if (stats.work.length > 2000) {
      stats.work.splice(0, 1000);
      stats.intervals.splice(0, 1000);
    }
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
