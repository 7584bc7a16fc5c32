// An eval job's results: the metrics per model and scorer (a table, and bars with ±1 standard error), and the samples
// side by side (input, target, output, the scorers' verdicts), filtered to the wrong or failed ones by default.
import type { Metric } from '../../api/metrics';
import type { ResultRow } from '../messages';
import { filterSamples, sampleVerdict, type SampleFilter } from '../samples';
import { PALETTE } from './charts';
import { clear, count, h, svg } from './dom';

/** More rows than this are not put in the (plain, not virtualized) samples table: the filter narrows them. */
const MAX_SAMPLE_ROWS = 500;

export class EvalView {
  readonly element: HTMLElement;
  private metrics: Metric[] = [];
  private rows: readonly ResultRow[] = [];
  private filter: SampleFilter = 'wrong-or-failed';
  private readonly metricsPart = h('div', { class: 'metrics' });
  private readonly samplesPart = h('div', { class: 'samples' });
  private readonly counter = h('span', { class: 'muted', id: 'samples-count' });

  constructor() {
    const select = h(
      'select',
      { 'aria-label': 'Show samples', id: 'samples-filter' },
      h('option', { value: 'wrong-or-failed' }, 'wrong or failed'),
      h('option', { value: 'wrong' }, 'wrong'),
      h('option', { value: 'failed' }, 'failed'),
      h('option', { value: 'all' }, 'all samples'),
    );
    select.addEventListener('change', () => {
      this.filter = select.value as SampleFilter;
      this.renderSamples();
    });
    this.element = h(
      'section',
      { class: 'eval-view' },
      h('h3', {}, 'Metrics'),
      this.metricsPart,
      h('div', { class: 'toolbar' }, h('h3', {}, 'Samples'), select, this.counter),
      this.samplesPart,
    );
    this.render();
  }

  setMetrics(metrics: Metric[]): void {
    this.metrics = metrics;
    this.renderMetrics();
  }

  setRows(rows: readonly ResultRow[]): void {
    this.rows = rows;
    this.renderSamples();
  }

  private render(): void {
    this.renderMetrics();
    this.renderSamples();
  }

  private renderMetrics(): void {
    clear(this.metricsPart);
    if (this.metrics.length === 0) {
      this.metricsPart.append(h('p', { class: 'muted' }, 'The metrics appear when the job has finished.'));
      return;
    }
    const head = h('tr', {}, ...['model', 'scorer', 'metric', 'value', '± stderr', 'scored', 'failed'].map((t) => h('th', {}, t)));
    const body = this.metrics.map((m) =>
      h(
        'tr',
        {},
        h('td', {}, m.model),
        h('td', {}, m.scorer),
        h('td', {}, m.metric),
        h('td', { class: 'num' }, formatValue(m.value, m.metric)),
        h('td', { class: 'num' }, m.stderr === null ? '—' : formatValue(m.stderr, m.metric)),
        h('td', { class: 'num' }, count(m.n)),
        h('td', { class: 'num' }, count(m.failed)),
      ),
    );
    this.metricsPart.append(h('table', { class: 'estimate', id: 'metrics-table' }, h('thead', {}, head), h('tbody', {}, ...body)));
    for (const scorer of [...new Set(this.metrics.map((m) => m.scorer))]) {
      this.metricsPart.append(
        metricChart(
          scorer,
          this.metrics.filter((m) => m.scorer === scorer),
        ),
      );
    }
  }

  private renderSamples(): void {
    clear(this.samplesPart);
    const all = this.rows.filter((r) => r.sample).length;
    const shown = filterSamples(this.rows, this.filter);
    this.counter.textContent = `${count(shown.length)} of ${count(all)} samples`;
    this.counter.dataset.count = String(shown.length);
    if (shown.length === 0) {
      this.samplesPart.append(h('p', { class: 'muted' }, all === 0 ? 'No samples yet.' : 'No sample matches this filter.'));
      return;
    }
    const head = h('tr', {}, ...['sample', 'input', 'target', 'output', 'verdict'].map((t) => h('th', {}, t)));
    const body = h('tbody', {});
    for (const row of shown.slice(0, MAX_SAMPLE_ROWS)) {
      const tr = sampleRow(row);
      // A click opens the sample: input, target and output in full, each scorer's verdict and explanation.
      tr.addEventListener('click', () => {
        const open = tr.nextElementSibling?.classList.contains('sample-detail');
        if (open) tr.nextElementSibling!.remove();
        else tr.after(h('tr', { class: 'sample-detail' }, h('td', { colspan: '5' }, sampleDetail(row))));
        tr.setAttribute('aria-expanded', String(!open));
      });
      body.append(tr);
    }
    this.samplesPart.append(h('table', { class: 'samples-table', id: 'samples-table' }, h('thead', {}, head), body));
    if (shown.length > MAX_SAMPLE_ROWS)
      this.samplesPart.append(h('p', { class: 'muted' }, `Showing the first ${count(MAX_SAMPLE_ROWS)}; export the results for the rest.`));
  }
}

const clamp = (text: string): HTMLElement => h('div', { class: 'clamp', title: text }, text);

function sampleRow(row: ResultRow): HTMLElement {
  const s = row.sample!;
  const verdict = sampleVerdict(row);
  const scores = Object.entries(s.scores ?? {});
  const verdictCell = h('td', { class: 'verdict' });
  if (verdict === 'failed') verdictCell.append(h('span', { class: 'badge status-failed' }, 'failed'));
  for (const [scorer, score] of scores) {
    verdictCell.append(
      h('div', {}, scores.length > 1 ? h('span', { class: 'muted' }, `${scorer}: `) : null, score.value === null ? '—' : formatNumber(score.value)),
    );
  }
  return h(
    'tr',
    { 'data-verdict': verdict, class: 'sample-row', 'aria-expanded': 'false', title: 'Open the sample' },
    h('td', {}, clamp(s.sample), h('div', { class: 'muted small' }, `${row.model} · epoch ${s.epoch}`)),
    h('td', {}, clamp(s.input)),
    h('td', {}, clamp(s.target.join(' | '))),
    h('td', {}, clamp(s.output ?? ''), row.error ? h('div', { class: 'error' }, clamp(row.error)) : null),
    verdictCell,
  );
}

function sampleDetail(row: ResultRow): HTMLElement {
  const s = row.sample!;
  const list = h('dl', { class: 'detail' });
  const add = (term: string, text: string): void => {
    list.append(h('dt', {}, term), h('dd', {}, text));
  };
  add('sample', `${s.sample} · ${row.model} · epoch ${s.epoch}`);
  add('input', s.input);
  add('target', s.target.join(' | '));
  add('output', s.output ?? '(none)');
  if (row.error) add('error', row.error);
  for (const [scorer, score] of Object.entries(s.scores ?? {})) {
    const read = score.answer !== null ? ` (read "${score.answer}")` : '';
    add(`${scorer}: ${score.value === null ? '—' : formatNumber(score.value)}${read}`, score.explanation ?? '');
  }
  return list;
}

/** Horizontal bars, one per model, with a ±1 standard error whisker; accuracies on a 0–100% axis. */
function metricChart(scorer: string, metrics: readonly Metric[]): HTMLElement {
  const percent = metrics.every((m) => m.metric === 'accuracy');
  const top = Math.max(percent ? 1 : 0, ...metrics.map((m) => (m.value ?? 0) + (m.stderr ?? 0)), 1e-9);
  const barHeight = 18;
  const gap = 8;
  const labelWidth = 120;
  const width = 440;
  const plotWidth = width - labelWidth - 70;
  const axisY = metrics.length * (barHeight + gap) + 4;
  const height = axisY + 20;
  const x = (v: number): number => labelWidth + (Math.max(0, v) / top) * plotWidth;
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${scorer} by model, with standard errors` });
  metrics.forEach((m, i) => {
    const y = i * (barHeight + gap) + 4;
    chart.append(svg('text', { x: labelWidth - 6, y: y + barHeight / 2 + 4, 'text-anchor': 'end', class: 'chart-label' }, truncate(m.model, 24)));
    if (m.value === null) {
      chart.append(svg('text', { x: labelWidth + 4, y: y + barHeight / 2 + 4, class: 'chart-value' }, 'not scored'));
      return;
    }
    const bar = svg('rect', {
      x: labelWidth,
      y,
      width: Math.max(1, x(m.value) - labelWidth),
      height: barHeight,
      fill: `var(${PALETTE[i % PALETTE.length]})`,
      class: 'metric-bar',
    });
    bar.append(
      svg('title', {}, `${m.model}: ${formatValue(m.value, m.metric)}${m.stderr === null ? '' : ` ± ${formatValue(m.stderr, m.metric)}`} (n = ${m.n})`),
    );
    chart.append(bar);
    let labelX = x(m.value);
    if (m.stderr !== null) {
      const lo = x(m.value - m.stderr);
      const hi = x(m.value + m.stderr);
      const mid = y + barHeight / 2;
      chart.append(
        svg('line', { x1: lo, y1: mid, x2: hi, y2: mid, class: 'error-bar' }),
        svg('line', { x1: lo, y1: mid - 5, x2: lo, y2: mid + 5, class: 'error-bar' }),
        svg('line', { x1: hi, y1: mid - 5, x2: hi, y2: mid + 5, class: 'error-bar' }),
      );
      labelX = Math.max(labelX, hi);
    }
    chart.append(svg('text', { x: labelX + 6, y: y + barHeight / 2 + 4, class: 'chart-value' }, formatValue(m.value, m.metric)));
  });
  chart.append(
    svg('line', { x1: labelWidth, y1: axisY, x2: labelWidth + plotWidth, y2: axisY, class: 'chart-axis' }),
    svg('text', { x: labelWidth, y: axisY + 14, class: 'chart-label' }, '0'),
    svg('text', { x: labelWidth + plotWidth, y: axisY + 14, 'text-anchor': 'end', class: 'chart-label' }, percent ? '100%' : formatNumber(top)),
  );
  return h(
    'div',
    { class: 'chart metrics-chart', 'data-scorer': scorer },
    h('h4', {}, `${scorer} · ${percent ? 'accuracy' : 'mean'} ± 1 standard error`),
    chart as unknown as Node,
  );
}

function formatValue(value: number | null, metric: Metric['metric']): string {
  if (value === null) return '—';
  return metric === 'accuracy' ? `${(value * 100).toFixed(1)}%` : formatNumber(value);
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3);
}

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
