/** Inline SVG charts for report.html: self-contained, no script, no network. */
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export { esc };

/**
 * ROC with the false-positive rate on a log axis (1e-4 .. 1): alarms live at the left end, where a linear axis
 * squeezes 0.1 % and 2 % into the same pixel. FPR 0 is drawn at the axis floor.
 */
export function rocSvg(fpr: number[], tpr: number[], auc: number): string {
  const W = 320;
  const P = 40;
  const FLOOR = 1e-4;
  const decades = -Math.log10(FLOOR);
  const x = (v: number): number => P + ((Math.log10(Math.max(FLOOR, v)) + decades) / decades) * (W - 2 * P);
  const y = (v: number): number => W - P - v * (W - 2 * P);
  const pts = fpr.map((f, i) => `${x(f).toFixed(1)},${y(tpr[i]!).toFixed(1)}`).join(' ');
  const xt = [1e-4, 1e-3, 1e-2, 1e-1, 1].map((t) => `<text x="${x(t)}" y="${W - P + 14}" text-anchor="middle">${t >= 0.01 ? t : t.toExponential(0)}</text>`).join('');
  const yt = [0, 0.25, 0.5, 0.75, 1].map((t) => `<text x="${P - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`).join('');
  const grid = [1e-3, 1e-2, 1e-1].map((t) => `<line x1="${x(t)}" y1="${P}" x2="${x(t)}" y2="${W - P}" stroke="#eee"/>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${W}" font-size="10" font-family="sans-serif" role="img" aria-label="ROC curve" data-fpr-axis="log">
<rect x="${P}" y="${P}" width="${W - 2 * P}" height="${W - 2 * P}" fill="none" stroke="#999"/>${grid}
<polyline points="${pts}" fill="none" stroke="#1f6feb" stroke-width="2"/>${xt}${yt}
<text x="${W / 2}" y="${W - 8}" text-anchor="middle">false positive rate (log)</text>
<text x="12" y="${W / 2}" text-anchor="middle" transform="rotate(-90 12 ${W / 2})">true positive rate</text>
<text x="${x(0.02)}" y="${y(0.1)}">AUC ${Number.isNaN(auc) ? 'n/a' : auc.toFixed(4)}</text></svg>`;
}

export function confusionSvg(classes: string[], m: number[][]): string {
  const k = classes.length;
  const cell = Math.max(22, Math.min(48, Math.floor(480 / k)));
  const L = 150;
  const T = 110;
  const W = L + k * cell + 100; // room for the last rotated column label
  const H = T + k * cell + 30;
  let cells = '';
  m.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((v, j) => {
      const share = v / total;
      const fill = i === j ? `rgba(31,111,235,${(0.1 + 0.9 * share).toFixed(3)})` : `rgba(207,34,46,${(share ? 0.1 + 0.9 * share : 0).toFixed(3)})`;
      cells += `<rect x="${L + j * cell}" y="${T + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#ddd"><title>${esc(classes[i]!)} as ${esc(classes[j]!)}: ${v}</title></rect>`;
      if (v) cells += `<text x="${L + j * cell + cell / 2}" y="${T + i * cell + cell / 2 + 4}" text-anchor="middle">${v}</text>`;
    });
  });
  const labels = classes
    .map(
      (c, i) =>
        `<text x="${L - 6}" y="${T + i * cell + cell / 2 + 4}" text-anchor="end">${esc(c)}</text>` +
        `<text transform="translate(${L + i * cell + cell / 2 + 4},${T - 6}) rotate(-60)">${esc(c)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-size="10" font-family="sans-serif" role="img" aria-label="confusion matrix">${cells}${labels}
<text x="${L + (k * cell) / 2}" y="${H - 8}" text-anchor="middle">predicted (rows: true class)</text></svg>`;
}

export function barsSvg(names: string[], values: number[], label: string): string {
  const order = values.map((v, i) => i).sort((a, b) => values[b]! - values[a]!);
  const max = Math.max(1e-12, ...values);
  const L = 170;
  const bw = 300;
  const row = 18;
  const H = order.length * row + 24;
  const bars = order
    .map((i, k) => {
      const w = (values[i]! / max) * bw;
      return `<text x="${L - 6}" y="${k * row + 13}" text-anchor="end">${esc(names[i]!)}</text><rect x="${L}" y="${k * row + 3}" width="${w.toFixed(1)}" height="${row - 6}" fill="#2da44e"/><text x="${L + w + 4}" y="${k * row + 13}">${values[i]!.toFixed(3)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${L + bw + 60}" height="${H}" font-size="10" font-family="sans-serif" role="img" aria-label="${esc(label)}">${bars}</svg>`;
}
