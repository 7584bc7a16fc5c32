// Per-question charts, hand-rolled SVG: answer distributions by model or agent for choice questions, histograms for
// numbers. Colors come from the theme's chart palette, so they follow light, dark and high-contrast themes.
import type { ResultRow } from '../protocol';
import { h, svg } from './dom';

const PALETTE = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
const MAX_CATEGORIES = 12;

export type GroupBy = 'model' | 'agent';

export interface QuestionChart {
  question: string;
  kind: 'distribution' | 'histogram' | 'none';
  element: HTMLElement;
}

export function questionCharts(rows: readonly ResultRow[], groupBy: GroupBy): QuestionChart[] {
  const byQuestion = new Map<string, ResultRow[]>();
  for (const row of rows) {
    if (row.status !== 'answered') continue;
    let list = byQuestion.get(row.question);
    if (!list) byQuestion.set(row.question, (list = []));
    list.push(row);
  }
  return [...byQuestion].map(([question, answered]) => {
    const numeric = answered.every((row) => row.value !== null);
    const categories = new Set(answered.map((row) => row.answer));
    if (numeric && categories.size > 6) return { question, kind: 'histogram', element: histogram(question, answered) };
    if (categories.size <= MAX_CATEGORIES) return { question, kind: 'distribution', element: distribution(question, answered, groupBy) };
    return { question, kind: 'none', element: h('div', { class: 'chart' }, h('h4', {}, question), h('p', { class: 'muted' }, `${categories.size} different answers (free text): see the table.`)) };
  });
}

/** Grouped horizontal bars: for each answer, one bar per model (or agent), as a share of that group's answers. */
function distribution(question: string, rows: readonly ResultRow[], groupBy: GroupBy): HTMLElement {
  const groups = [...new Set(rows.map((row) => row[groupBy]))].sort();
  const answers = [...new Set(rows.map((row) => row.answer))].sort(answerOrder);
  const counts = new Map<string, number>();
  const totals = new Map<string, number>();
  for (const row of rows) {
    const group = row[groupBy];
    counts.set(`${row.answer}\u0000${group}`, (counts.get(`${row.answer}\u0000${group}`) ?? 0) + 1);
    totals.set(group, (totals.get(group) ?? 0) + 1);
  }
  const barHeight = 12;
  const labelWidth = 150;
  const width = 520;
  const blockHeight = groups.length * barHeight + 10;
  const height = answers.length * blockHeight + 10;
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `answers to ${question} by ${groupBy}` });
  answers.forEach((answer, a) => {
    const y0 = a * blockHeight + 5;
    chart.append(svg('text', { x: labelWidth - 6, y: y0 + (groups.length * barHeight) / 2 + 4, 'text-anchor': 'end', class: 'chart-label' }, truncate(answer, 22)));
    groups.forEach((group, g) => {
      const share = (counts.get(`${answer}\u0000${group}`) ?? 0) / (totals.get(group) ?? 1);
      const w = Math.max(share > 0 ? 1 : 0, share * (width - labelWidth - 50));
      const bar = svg('rect', { x: labelWidth, y: y0 + g * barHeight, width: w, height: barHeight - 2, fill: `var(${PALETTE[g % PALETTE.length]})` });
      bar.append(svg('title', {}, `${group}: ${(share * 100).toFixed(1)}% answered "${answer}"`));
      chart.append(bar, svg('text', { x: labelWidth + w + 4, y: y0 + g * barHeight + barHeight - 3, class: 'chart-value' }, `${Math.round(share * 100)}%`));
    });
  });
  const legend = h('div', { class: 'legend' }, ...groups.map((group, g) => h('span', { class: 'legend-item' }, swatch(g), group)));
  return h('div', { class: 'chart', 'data-kind': 'distribution' }, h('h4', {}, question), legend, chart as unknown as Node);
}

function histogram(question: string, rows: readonly ResultRow[]): HTMLElement {
  const values = rows.map((row) => row.value as number);
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const binCount = Math.min(20, Math.max(5, Math.ceil(Math.sqrt(values.length))));
  const span = max - min || 1;
  const bins = new Array<number>(binCount).fill(0);
  for (const v of values) bins[Math.min(binCount - 1, Math.floor(((v - min) / span) * binCount))]! += 1;
  const peak = Math.max(...bins, 1);
  const width = 520;
  const height = 160;
  const plot = { left: 40, bottom: 24, top: 8 };
  const barWidth = (width - plot.left - 10) / binCount;
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `histogram of ${question}` });
  chart.append(svg('line', { x1: plot.left, y1: height - plot.bottom, x2: width - 10, y2: height - plot.bottom, class: 'chart-axis' }));
  bins.forEach((n, i) => {
    const barHeight = (n / peak) * (height - plot.bottom - plot.top);
    const lo = min + (span * i) / binCount;
    const rect = svg('rect', { x: plot.left + i * barWidth + 1, y: height - plot.bottom - barHeight, width: Math.max(1, barWidth - 2), height: barHeight, fill: `var(${PALETTE[0]})` });
    rect.append(svg('title', {}, `${format(lo)} – ${format(lo + span / binCount)}: ${n}`));
    chart.append(rect);
  });
  chart.append(
    svg('text', { x: plot.left, y: height - 6, class: 'chart-label' }, format(min)),
    svg('text', { x: width - 10, y: height - 6, 'text-anchor': 'end', class: 'chart-label' }, format(max)),
    svg('text', { x: plot.left - 4, y: plot.top + 8, 'text-anchor': 'end', class: 'chart-label' }, String(peak)),
  );
  const mean = values.reduce((a, b) => a + b, 0) / (values.length || 1);
  return h('div', { class: 'chart', 'data-kind': 'histogram' }, h('h4', {}, question), h('p', { class: 'muted' }, `${values.length} answers · mean ${format(mean)}`), chart as unknown as Node);
}

function swatch(index: number): HTMLElement {
  const el = h('span', { class: 'swatch' });
  el.style.background = `var(${PALETTE[index % PALETTE.length]})`;
  return el;
}

function answerOrder(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

function format(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
