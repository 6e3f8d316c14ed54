/**
 * One uPlot chart per meter: voltage on the left axis, frequency on the right, current, power and THD on scales of
 * their own (their values in the legend), and anomaly spans shaded behind the lines.
 */
import uPlot from 'uplot';
import type { AnomalySpan, MeterView } from './model.ts';
import { SERIES_UNITS } from './series.ts';

const COLORS = ['#2f6fb3', '#1f8a4c', '#8e44ad', '#b7791f', '#c0392b'];
const LABELS = ['voltage', 'current', 'power', 'THD', 'frequency'];
const SCALES = ['V', 'A', 'W', '%', 'Hz'];

export class MeterChart {
  readonly el: HTMLElement;
  private readonly plot: uPlot;
  private readonly nowEl: HTMLElement;
  private spans: AnomalySpan[] = [];

  constructor(parent: HTMLElement, readonly id: string, width: number) {
    this.el = document.createElement('div');
    this.el.className = 'meter';
    this.el.dataset.meter = id;
    const h = document.createElement('h3');
    const name = document.createElement('span');
    name.textContent = id;
    this.nowEl = document.createElement('span');
    this.nowEl.className = 'now';
    h.append(name, this.nowEl);
    this.el.append(h);
    parent.append(this.el);
    const spansOf = () => this.spans;
    this.plot = new uPlot(
      {
        width,
        height: 220,
        legend: { live: false },
        cursor: { show: false },
        scales: { x: { time: true }, V: {}, A: {}, W: {}, '%': {}, Hz: {} },
        series: [{}, ...LABELS.map((label, i) => ({ label: `${label} (${SERIES_UNITS[i]})`, stroke: COLORS[i], scale: SCALES[i], width: 1.5, points: { show: false } }))],
        axes: [{}, { scale: 'V', label: 'V', stroke: COLORS[0] }, { scale: 'Hz', side: 1, label: 'Hz', stroke: COLORS[4], grid: { show: false } }],
        hooks: {
          drawClear: [
            (u: uPlot) => {
              const ctx = u.ctx;
              const xs = u.data[0];
              if (!xs || !xs.length) return;
              const last = xs[xs.length - 1]!;
              ctx.save();
              for (const s of spansOf()) {
                const x0 = u.valToPos(s.start / 1000, 'x', true);
                const x1 = u.valToPos((s.end ?? last * 1000) / 1000, 'x', true);
                const l = Math.max(u.bbox.left, Math.min(x0, x1));
                const r = Math.min(u.bbox.left + u.bbox.width, Math.max(x0, x1));
                if (r <= l) continue;
                ctx.fillStyle = s.end === null ? 'rgba(192,57,43,0.22)' : 'rgba(192,57,43,0.12)';
                ctx.fillRect(l, u.bbox.top, Math.max(r - l, 2), u.bbox.height);
              }
              ctx.restore();
            },
          ],
        },
      },
      [[], [], [], [], [], []],
      this.el,
    );
  }

  update(m: MeterView): void {
    this.spans = m.spans;
    this.plot.setData(m.series.columns() as uPlot.AlignedData);
    const v = m.series.latest();
    const open = m.spans.filter((s) => s.end === null);
    this.el.classList.toggle('alarm', open.length > 0);
    this.el.dataset.spans = String(m.spans.length);
    this.el.dataset.points = String(m.series.length);
    this.nowEl.textContent =
      (v ? `${v[0]!.toFixed(1)} V  ${v[1]!.toFixed(2)} A  ${v[2]!.toFixed(0)} W  THD ${v[3]!.toFixed(1)} %  ${v[4]!.toFixed(2)} Hz` : 'no data') +
      (open.length ? `  ⚠ ${open.map((s) => s.cls).join(', ')}` : '');
  }

  resize(width: number): void {
    this.plot.setSize({ width, height: 220 });
  }
}
