/** report.md and report.html (self-contained: inline SVG charts) for a fitted, exported and scored model. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ForestModel } from '../../forest/model.ts';
import { nodeCount } from '../../forest/model.ts';
import type { Metrics } from '../evaluate/metrics.ts';
import { barsSvg, confusionSvg, esc, rocSvg } from './charts.ts';
import { conditionTable, type ConditionFigures } from '../evaluate/by-condition.ts';
import { describeConditions } from '../../model/conditions.ts';

export interface ReportExport {
  bytes: number;
  slotBytes: number;
  slotName: string;
  bytesPerNode: number;
  quantize: string;
  /** Accuracy of the exported model on the test windows, and its change against the host model. */
  accuracy: number;
  accuracyChange: number;
  parity: string;
}

export interface ReportInput {
  title: string;
  data: string;
  rows: number;
  trainRows: number;
  testRows: number;
  trainSeconds: number;
  model: ForestModel;
  test: Metrics;
  /** Held-out figures per sampling condition (rate x mains x SNR band). */
  testByCondition?: ConditionFigures[];
  exported?: ReportExport[];
  notes?: string[];
}

const f4 = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(4));

function summaryRows(r: ReportInput): [string, string][] {
  const p = r.model.params;
  const n = nodeCount(r.model);
  return [
    ['data', r.data],
    ['rows (train / test windows)', `${r.rows} (${r.trainRows} / ${r.testRows})`],
    ['target', `${r.model.target} (${r.model.classes.length} classes)`],
    ['trainer', `${p.trainer}: ${p.trees} trees, max depth ${p.maxDepth}, min leaf ${p.minLeaf}, ${p.maxFeatures} features per split, class weight ${p.classWeight}, seed ${p.seed}`],
    ['nodes', `${n.internal} internal + ${n.leaves} leaves`],
    ['training time', `${r.trainSeconds.toFixed(2)} s`],
    ['out-of-bag accuracy', r.model.oob ? `${f4(r.model.oob.accuracy)} (${r.model.oob.rows} rows)` : 'n/a'],
    ['valid for (training conditions)', describeConditions(r.model.conditions)],
    ['decision', r.model.decision ? `anomaly when >= ${r.model.decision.minAnomalyVotes} of ${r.model.trees.length * 255} votes are against normal (chosen for out-of-bag false alarms <= ${r.model.decision.maxFalseAlarm})` : 'most voted class'],
    ['test false-alarm rate (normal windows called anomalies)', Number.isNaN(r.test.falseAlarmRate) ? 'n/a' : `${(100 * r.test.falseAlarmRate).toFixed(2)} %`],
    ['test accuracy', f4(r.test.accuracy)],
    ['test macro-F1', f4(r.test.macroF1)],
    ['anomaly precision / recall / F1', `${f4(r.test.precision)} / ${f4(r.test.recall)} / ${f4(r.test.f1)}`],
    ['anomaly AUC-ROC', f4(r.test.aucRoc) + (r.test.aucRocMacro !== undefined ? ` (one-vs-rest macro ${f4(r.test.aucRocMacro)})` : '')],
  ];
}

export function reportMarkdown(r: ReportInput): string {
  const md: string[] = [`# ${r.title}`, '', '| | |', '|---|---|', ...summaryRows(r).map(([k, v]) => `| ${k} | ${v} |`), ''];
  if (r.testByCondition?.length) md.push('## Per condition (held-out windows)', '', ...conditionTable(r.testByCondition), '');
  md.push('## Per class (held-out windows)', '', '| class | precision | recall | F1 | support |', '|---|---|---|---|---|');
  for (const c of r.test.perClass) md.push(`| ${c.name} | ${f4(c.precision)} | ${f4(c.recall)} | ${f4(c.f1)} | ${c.support} |`);
  md.push('', '## Confusion matrix (rows: true, columns: predicted)', '', `| | ${r.test.classes.join(' | ')} |`, `|---|${r.test.classes.map(() => '---').join('|')}|`);
  r.test.confusion.forEach((row, i) => md.push(`| ${r.test.classes[i]} | ${row.join(' | ')} |`));
  md.push('', '## Feature importance (mean decrease in impurity)', '', '| feature | importance |', '|---|---|');
  const order = r.model.importance.map((v, i) => i).sort((a, b) => r.model.importance[b]! - r.model.importance[a]!);
  for (const i of order) md.push(`| ${r.model.featureNames[i]} | ${r.model.importance[i]!.toFixed(4)} |`);
  if (r.exported?.length) {
    md.push('', '## Device model', '', '| thresholds | size | slot | bytes per node | test accuracy | change vs host | parity |', '|---|---|---|---|---|---|---|');
    for (const e of r.exported) md.push(`| ${e.quantize} | ${e.bytes} B | ${e.slotName} ${e.slotBytes} B (${((100 * e.bytes) / e.slotBytes).toFixed(1)} %) | ${e.bytesPerNode.toFixed(2)} | ${f4(e.accuracy)} | ${e.accuracyChange >= 0 ? '+' : ''}${e.accuracyChange.toFixed(4)} | ${e.parity} |`);
  }
  if (r.notes?.length) md.push('', '## Notes', '', ...r.notes.map((n) => `- ${n}`));
  return md.join('\n') + '\n';
}

export function reportHtml(r: ReportInput): string {
  const rows = summaryRows(r).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  const perClass = r.test.perClass
    .map((c) => `<tr><td>${esc(c.name)}</td><td>${f4(c.precision)}</td><td>${f4(c.recall)}</td><td>${f4(c.f1)}</td><td>${c.support}</td></tr>`)
    .join('');
  const exp = (r.exported ?? [])
    .map((e) => `<tr><td>${e.quantize}</td><td>${e.bytes} B</td><td>${e.slotName} ${e.slotBytes} B</td><td>${e.bytesPerNode.toFixed(2)}</td><td>${f4(e.accuracy)}</td><td>${e.accuracyChange.toFixed(4)}</td><td>${esc(e.parity)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;font-size:13px}th{background:#f6f8fa}.charts{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start}</style>
</head><body>
<h1>${esc(r.title)}</h1>
<table>${rows}</table>
<div class="charts">
<figure><figcaption>ROC, anomaly vs normal (held-out windows; false-positive rate on a log scale)</figcaption>${rocSvg(r.test.roc.fpr, r.test.roc.tpr, r.test.aucRoc)}</figure>
<figure><figcaption>Feature importance</figcaption>${barsSvg(r.model.featureNames, r.model.importance, 'feature importance')}</figure>
</div>
<figure><figcaption>Confusion matrix (rows: true class)</figcaption>${confusionSvg(r.test.classes, r.test.confusion)}</figure>
${r.testByCondition?.length ? `<h2>Per condition</h2><table><tr><th>mains</th><th>rate</th><th>SNR dB</th><th>windows</th><th>normal</th><th>false alarms</th><th>false-alarm rate</th><th>binary F1</th><th>macro-F1</th></tr>${r.testByCondition.map((c) => `<tr><td>${c.mainsHz} Hz</td><td>${c.samplingRate} Hz</td><td>${c.snrBand}</td><td>${c.rows}</td><td>${c.normalRows}</td><td>${c.falseAlarms}</td><td>${Number.isNaN(c.falseAlarmRate) ? 'n/a' : (100 * c.falseAlarmRate).toFixed(2) + ' %'}</td><td>${f4(c.f1)}</td><td>${f4(c.macroF1)}</td></tr>`).join('')}</table>` : ''}
<h2>Per class</h2>
<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>${perClass}</table>
${exp ? `<h2>Device model</h2><table><tr><th>thresholds</th><th>size</th><th>slot</th><th>bytes/node</th><th>test accuracy</th><th>change</th><th>parity</th></tr>${exp}</table>` : ''}
${r.notes?.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}

export async function writeReports(dir: string, r: ReportInput): Promise<{ md: string; html: string }> {
  const md = join(dir, 'report.md');
  const html = join(dir, 'report.html');
  await writeFile(md, reportMarkdown(r));
  await writeFile(html, reportHtml(r));
  return { md, html };
}
