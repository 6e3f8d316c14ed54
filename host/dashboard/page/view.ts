/**
 * Table rendering, incremental: a device row is built once and only its changed cells are rewritten; events and
 * errors are prepended as they come and trimmed at the tail. textContent only, never markup from a peer.
 */
import type { DashboardModel, DeviceView, ErrorEntry, EventEntry } from './model.ts';

function td(text: string, cls?: string): HTMLTableCellElement {
  const c = document.createElement('td');
  c.textContent = text;
  if (cls) c.className = cls;
  return c;
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
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

const COLUMNS = ['id', 'online', 'firmware', 'app', 'model', 'reset', 'uptime', 'heap', 'reconnects', 'led', 'ota', 'errors'] as const;

interface DeviceRow {
  tr: HTMLTableRowElement;
  cells: Record<(typeof COLUMNS)[number], HTMLTableCellElement>;
  ledText: HTMLSpanElement;
  otaText: HTMLSpanElement;
  progress: HTMLProgressElement;
  operator: boolean;
}

/** The device table. Rows are created on first sight, kept in id order, and refreshed only when told. */
export class DeviceTable {
  private readonly rows = new Map<string, DeviceRow>();

  constructor(private readonly body: HTMLElement) {}

  /** Refreshes the given devices (all of them when `ids` is null, e.g. after the role changed). */
  render(model: DashboardModel, ids: Iterable<string> | null, operator: boolean): void {
    let added = false;
    for (const id of ids ?? model.devices.keys()) {
      const d = model.devices.get(id);
      if (!d) continue;
      let row = this.rows.get(id);
      if (!row || row.operator !== operator) {
        const fresh = this.build(d, operator);
        if (row) row.tr.replaceWith(fresh.tr);
        else added = true;
        this.rows.set(id, fresh);
        row = fresh;
      }
      this.fill(row, d);
    }
    if (added) {
      const sorted = [...this.rows.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
      this.body.append(...sorted.map((id) => this.rows.get(id)!.tr));
    }
  }

  private build(d: DeviceView, operator: boolean): DeviceRow {
    const tr = document.createElement('tr');
    tr.dataset.device = d.id;
    const cells = {} as DeviceRow['cells'];
    for (const c of COLUMNS) {
      cells[c] = td('', c === 'led' ? 'led' : c === 'ota' ? 'ota' : c);
      tr.append(cells[c]);
    }
    const dot = document.createElement('span');
    dot.className = 'dot';
    cells.online.append(dot, document.createElement('span'));
    const ledText = document.createElement('span');
    cells.led.append(ledText);
    if (operator) {
      for (const a of ['on', 'off', 'toggle']) {
        const b = document.createElement('button');
        b.textContent = a;
        b.dataset.led = a;
        b.dataset.device = d.id;
        cells.led.append(b);
      }
    }
    const progress = document.createElement('progress');
    const otaText = document.createElement('span');
    cells.ota.append(progress, otaText);
    return { tr, cells, ledText, otaText, progress, operator };
  }

  private fill(r: DeviceRow, d: DeviceView): void {
    const c = r.cells;
    r.tr.dataset.online = String(d.online);
    setText(c.id, d.id);
    (c.online.firstChild as HTMLElement).className = `dot ${d.online ? 'on' : d.online === false ? 'off' : ''}`;
    setText(c.online.lastChild as HTMLElement, d.online === null ? '?' : d.online ? 'online' : 'offline');
    setText(c.firmware, d.firmware);
    setText(c.app, d.app);
    setText(c.model, d.model === null ? '' : `v${d.model}`);
    setText(c.reset, d.resetReason);
    setText(c.uptime, duration(d.uptimeMs));
    setText(c.heap, d.jsUsed === null ? '' : `${kb(d.jsUsed)}${d.jsSize ? ` / ${kb(d.jsSize)}` : ''}`);
    setText(c.reconnects, d.reconnects === null ? '' : String(d.reconnects));
    c.led.dataset.led = d.led?.state ?? '';
    c.led.className = d.led?.state === 'on' ? 'led led-on' : 'led led-off';
    setText(r.ledText, d.led ? `pin ${d.led.pin} ${d.led.state}${d.led.blinking ? ' (blinking)' : ''}` : '');
    const o = d.ota;
    if (o) c.ota.dataset.ota = o.state;
    else delete c.ota.dataset.ota;
    c.ota.title = d.otaTrail.join(' → ');
    r.otaText.className = o ? `ota-${o.state}` : '';
    setText(r.otaText, o ? `${o.kind ? `${o.kind} v${o.version} ` : ''}${o.state}${o.reason ? `: ${o.reason}` : ''}` : '');
    const moving = !!o && (o.state === 'downloading' || o.state === 'offered' || o.state === 'verifying');
    r.progress.hidden = !moving;
    if (moving) {
      r.progress.max = Math.max(1, o!.total);
      r.progress.value = o!.done;
    }
    setText(c.errors, String(d.errors));
  }
}

/** A newest-first list: adds the entries that are new since the last render, drops what fell off the model's list. */
export class RecentList<T> {
  private shown = 0;

  constructor(
    private readonly body: HTMLElement,
    private readonly row: (e: T) => HTMLTableRowElement,
  ) {}

  render(entries: T[], total: number): void {
    const fresh = Math.min(total - this.shown, entries.length);
    this.shown = total;
    if (fresh <= 0) return;
    const rows: HTMLTableRowElement[] = [];
    for (let i = 0; i < fresh; i++) rows.push(this.row(entries[i]!));
    this.body.prepend(...rows);
    while (this.body.childElementCount > entries.length) this.body.lastElementChild!.remove();
  }
}

export function eventRow(e: EventEntry): HTMLTableRowElement {
  const r = document.createElement('tr');
  r.dataset.event = e.event;
  r.append(td(clock(e.at)), td(e.device), td(e.meter), td(e.event), td(e.cls), td(e.score === null ? '' : e.score.toFixed(2)), td(e.model === null ? '' : `v${e.model}`));
  return r;
}

export function errorRow(e: ErrorEntry): HTMLTableRowElement {
  const r = document.createElement('tr');
  r.append(td(clock(e.at)), td(e.device || '(page)'), td(e.topic), td(e.text, 'wrap'));
  return r;
}
