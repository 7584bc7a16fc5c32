// Per-question charts, hand-drawn SVG sized to the panel's width; what each shows is in ../chart-data.ts. Colors
// come from the theme's chart palette, so they follow light, dark and high-contrast themes.
import { chartData, type ChartData, type GroupBy } from '../chart-data';
import type { QuestionInfo, ResultRow } from '../messages';
import { h, svg } from './dom';

export type { GroupBy } from '../chart-data';

/** The series colours, from the editor's theme. */
export const PALETTE = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
];
const BAR = 14;

export function questionCharts(rows: readonly ResultRow[], questions: readonly QuestionInfo[], groupBy: GroupBy, width: number): HTMLElement[] {
  return chartData(rows, questions, groupBy).map((data) => {
    const body = data.kind === 'text' ? textChart(data) : data.kind === 'histogram' ? histogram(data, width) : bars(data, width);
    return h('div', { class: 'chart', 'data-kind': data.kind, 'data-question': data.question }, h('h4', {}, data.question), body);
  });
}

/** Horizontal bars, one block per category in the question's order, one bar per group; zero counts drawn too. */
function bars(data: Extract<ChartData, { kind: 'choice' | 'scale' | 'means' }>, width: number): HTMLElement {
  const { categories, series } = data;
  const labels = data.kind === 'scale' ? categories.map((c, i) => (data.labels[i] ? `${c} · ${data.labels[i]}` : c)) : categories;
  const labelWidth = Math.round(Math.min(180, Math.max(70, width * 0.34)));
  const valueWidth = data.kind === 'means' ? 44 : 76;
  const plot = Math.max(40, width - labelWidth - valueWidth - 8);
  const block = series.length * BAR + 8;
  const height = categories.length * block + 4;
  const top = data.kind === 'means' ? Math.max(1e-9, ...series.flatMap((s) => s.values)) : Math.max(1e-9, ...series.flatMap((s) => s.values));
  const chart = svg('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `${data.question}: ${data.kind === 'means' ? data.note : 'answers'} by group`,
  });
  categories.forEach((category, c) => {
    const y0 = c * block + 4;
    const label = svg(
      'text',
      { x: labelWidth - 6, y: y0 + (series.length * BAR) / 2 + 4, 'text-anchor': 'end', class: 'chart-label category' },
      fit(labels[c]!, labelWidth - 10),
    );
    label.append(svg('title', {}, labels[c]!));
    chart.append(label);
    series.forEach((s, g) => {
      const value = s.values[c] ?? 0;
      const w = Math.max(value > 0 ? 1 : 0, (value / top) * plot);
      const y = y0 + g * BAR;
      const text = data.kind === 'means' ? format(value) : `${Math.round(value * 100)}% (${s.counts?.[c] ?? 0})`;
      const bar = svg('rect', { x: labelWidth, y, width: w, height: BAR - 2, fill: `var(${PALETTE[g % PALETTE.length]})` });
      bar.append(svg('title', {}, `${s.group}: ${text} · ${category}`));
      chart.append(bar, svg('text', { x: labelWidth + w + 4, y: y + BAR - 4, class: 'chart-value' }, text));
    });
  });
  const facts = series.map((s) => {
    const moments = data.kind === 'scale' && Number.isFinite(s.mean) ? ` · mean ${format(s.mean!)} ± ${format(s.stderr!)} (SE)` : '';
    return h('span', { class: 'fact' }, swatch(series.indexOf(s)), `${s.group}: n = ${s.n}${moments}`);
  });
  const note = data.kind === 'scale' ? 'share of answers at each point of the scale' : data.note;
  return h('div', {}, h('div', { class: 'legend' }, ...facts), h('p', { class: 'muted small' }, note), chart as unknown as Node);
}

/** One bar per bin and group, every bin labelled; the mean (solid) and median (dashed) of each group marked. */
function histogram(data: Extract<ChartData, { kind: 'histogram' }>, width: number): HTMLElement {
  const { bins, series } = data;
  const left = 34;
  const bottom = 30;
  const height = 170;
  const plotWidth = Math.max(60, width - left - 8);
  const binWidth = plotWidth / Math.max(1, bins.length);
  const peak = Math.max(1, ...series.flatMap((s) => s.counts ?? []));
  const plotHeight = height - bottom - 8;
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `histogram of ${data.question}` });
  chart.append(svg('line', { x1: left, y1: height - bottom, x2: left + plotWidth, y2: height - bottom, class: 'chart-axis' }));
  chart.append(
    svg('text', { x: left - 4, y: 16, 'text-anchor': 'end', class: 'chart-label' }, String(peak)),
    svg('text', { x: left - 4, y: height - bottom, 'text-anchor': 'end', class: 'chart-label' }, '0'),
  );
  const integer = bins.every((b) => Number.isInteger(b.from) && Number.isInteger(b.to));
  const every = binWidth < 46 ? Math.ceil(46 / binWidth) : 1;
  bins.forEach((bin, i) => {
    const x0 = left + i * binWidth;
    const label =
      bins.length === 1
        ? format(bin.from)
        : integer && bin.to - bin.from === 1
          ? format(bin.from)
          : integer
            ? `${format(bin.from)}–${format(bin.to - 1)}`
            : `${format(bin.from)}–${format(bin.to)}`;
    if (i % every === 0) chart.append(svg('text', { x: x0 + binWidth / 2, y: height - bottom + 14, 'text-anchor': 'middle', class: 'chart-label bin' }, label));
    const barWidth = (binWidth - 4) / Math.max(1, series.length);
    series.forEach((s, g) => {
      const n = s.counts?.[i] ?? 0;
      const barHeight = (n / peak) * plotHeight;
      const rect = svg('rect', {
        x: x0 + 2 + g * barWidth,
        y: height - bottom - barHeight,
        width: Math.max(1, barWidth - 1),
        height: barHeight,
        fill: `var(${PALETTE[g % PALETTE.length]})`,
      });
      rect.append(svg('title', {}, `${s.group}: ${n} in ${label}`));
      chart.append(rect);
    });
  });
  const lo = bins[0]?.from ?? 0;
  const hi = bins[bins.length - 1]?.to ?? 1;
  const x = (v: number): number => left + ((v - lo) / (hi - lo || 1)) * plotWidth;
  series.forEach((s, g) => {
    if (!Number.isFinite(s.mean)) return;
    const stroke = `var(${PALETTE[g % PALETTE.length]})`;
    const mean = svg('line', { x1: x(s.mean!), y1: 8, x2: x(s.mean!), y2: height - bottom, class: 'mean-line' });
    const median = svg('line', { x1: x(s.median!), y1: 8, x2: x(s.median!), y2: height - bottom, class: 'median-line' });
    mean.style.setProperty('stroke', stroke);
    median.style.setProperty('stroke', stroke);
    chart.append(mean, median);
  });
  const facts = series.map((s, g) =>
    h('span', { class: 'fact' }, swatch(g), `${s.group}: n = ${s.n} · mean ${format(s.mean ?? NaN)} · median ${format(s.median ?? NaN)}`),
  );
  return h(
    'div',
    {},
    h('div', { class: 'legend' }, ...facts),
    h('p', { class: 'muted small' }, 'answers per bin; solid line: mean, dashed: median'),
    chart as unknown as Node,
  );
}

/** Free text and lists: no bars of cut-off sentences, but how long the answers are, their frequent words, a few of them. */
function textChart(data: Extract<ChartData, { kind: 'text' }>): HTMLElement {
  return h(
    'div',
    { class: 'text-chart' },
    h('p', { class: 'muted small' }, `${data.n} answers · ${format(data.meanWords)} words on average${data.type === 'free_text' ? '' : ` · ${data.type}`}`),
    data.words.length > 0
      ? h('div', { class: 'words' }, ...data.words.map(([word, n]) => h('span', { class: 'word' }, `${word} `, h('span', { class: 'muted' }, String(n)))))
      : null,
    ...data.samples.map((sample) => h('blockquote', { class: 'answer-sample', title: sample }, sample)),
  );
}

function swatch(index: number): HTMLElement {
  const el = h('span', { class: 'swatch' });
  el.style.background = `var(${PALETTE[index % PALETTE.length]})`;
  return el;
}

/** Cuts a label to about the pixels it has (11 px text is about 6 px a character); the whole text is in its title. */
function fit(text: string, pixels: number): string {
  const n = Math.max(4, Math.floor(pixels / 6));
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

function format(n: number): string {
  if (!Number.isFinite(n)) return '—';
  return Number.isInteger(n) ? String(n) : Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2);
}
