/** Table rendering: the model's devices, events and errors as rows, built with textContent only. */
import type { DeviceView, ErrorEntry, EventEntry } from './model.ts';

function td(text: string, cls?: string): HTMLTableCellElement {
  const c = document.createElement('td');
  c.textContent = text;
  if (cls) c.className = cls;
  return c;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return d.toTimeString().slice(0, 8);
}

export function duration(ms: number | null): string {
  if (ms === null) return '';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function kb(b: number | null): string {
  return b === null ? '' : `${(b / 1024).toFixed(1)} KB`;
}

/** The device table; `operator` adds the LED buttons. Rows are keyed by device id and reused. */
export function renderDevices(body: HTMLElement, devices: DeviceView[], operator: boolean): void {
  const rows = new Map<string, HTMLTableRowElement>();
  for (const r of Array.from(body.children) as HTMLTableRowElement[]) rows.set(r.dataset.device ?? '', r);
  const keep = new Set<string>();
  let prev: HTMLTableRowElement | null = null;
  for (const d of devices) {
    keep.add(d.id);
    let row = rows.get(d.id);
    if (!row) {
      row = document.createElement('tr');
      row.dataset.device = d.id;
    }
    fillDevice(row, d, operator);
    if (prev ? prev.nextSibling !== row : body.firstChild !== row) body.insertBefore(row, prev ? prev.nextSibling : body.firstChild);
    prev = row;
  }
  for (const [id, r] of rows) if (!keep.has(id)) r.remove();
}

function fillDevice(row: HTMLTableRowElement, d: DeviceView, operator: boolean): void {
  row.replaceChildren();
  row.dataset.online = String(d.online);
  row.append(td(d.id));
  const on = td(d.online === null ? '?' : d.online ? 'online' : 'offline', 'online');
  const dot = document.createElement('span');
  dot.className = `dot ${d.online ? 'on' : d.online === false ? 'off' : ''}`;
  on.prepend(dot);
  row.append(on, td(d.firmware), td(d.app), td(d.model === null ? '' : `v${d.model}`), td(d.resetReason), td(duration(d.uptimeMs)));
  row.append(td(d.jsUsed === null ? '' : `${kb(d.jsUsed)}${d.jsSize ? ` / ${kb(d.jsSize)}` : ''}`), td(d.reconnects === null ? '' : String(d.reconnects)));
  const led = td(d.led ? `pin ${d.led.pin} ${d.led.state}${d.led.blinking ? ' (blinking)' : ''}` : '', d.led?.state === 'on' ? 'led led-on' : 'led led-off');
  led.dataset.led = d.led?.state ?? '';
  if (operator) {
    for (const a of ['on', 'off', 'toggle']) {
      const b = document.createElement('button');
      b.textContent = a;
      b.dataset.led = a;
      b.dataset.device = d.id;
      led.append(b);
    }
  }
  row.append(led, otaCell(d), td(String(d.errors)));
}

function otaCell(d: DeviceView): HTMLTableCellElement {
  const c = td('', 'ota');
  const o = d.ota;
  if (!o) return c;
  c.dataset.ota = o.state;
  c.title = d.otaTrail.join(' → ');
  const label = document.createElement('span');
  label.className = `ota-${o.state}`;
  label.textContent = `${o.kind ? `${o.kind} v${o.version} ` : ''}${o.state}${o.reason ? `: ${o.reason}` : ''}`;
  if (o.state === 'downloading' || o.state === 'offered' || o.state === 'verifying') {
    const p = document.createElement('progress');
    p.max = Math.max(1, o.total);
    p.value = o.done;
    c.append(p, ' ');
  }
  c.append(label);
  return c;
}

export function renderEvents(body: HTMLElement, events: EventEntry[]): void {
  body.replaceChildren(
    ...events.map((e) => {
      const r = document.createElement('tr');
      r.dataset.event = e.event;
      r.append(td(clock(e.at)), td(e.device), td(e.meter), td(e.event), td(e.cls), td(e.score === null ? '' : e.score.toFixed(2)), td(e.model === null ? '' : `v${e.model}`));
      return r;
    }),
  );
}

export function renderErrors(body: HTMLElement, errors: ErrorEntry[]): void {
  body.replaceChildren(
    ...errors.map((e) => {
      const r = document.createElement('tr');
      r.append(td(clock(e.at)), td(e.device || '(page)'), td(e.topic), td(e.text, 'wrap'));
      return r;
    }),
  );
}
