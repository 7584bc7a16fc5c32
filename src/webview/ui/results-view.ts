// The results: a virtualized table (sort by any column, filter by text and question) and the per-question charts.
import type { QuestionInfo, ResultRow } from '../messages';
import { questionCharts, type GroupBy } from './charts';
import { clear, count, h, usd } from './dom';
import { VirtualList } from './virtual-list';

interface Column {
  key: keyof ResultRow;
  title: string;
  show(row: ResultRow): string;
  numeric?: boolean;
}

// The answer comes early, so a narrow panel shows it; the widths (and which columns a narrow panel drops) are in
// media/panel.css, `.result-header, .result-row`.
const COLUMNS: Column[] = [
  // Counted from 1, as scenarios are (the server counts interviews from 0).
  { key: 'interview', title: '#', show: (r) => String(r.interview + 1), numeric: true },
  { key: 'question', title: 'question', show: (r) => r.question },
  { key: 'answer', title: 'answer', show: (r) => (r.error ? `${r.answer} ⚠ ${r.error}` : r.answer) },
  { key: 'model', title: 'model', show: (r) => r.model },
  { key: 'agent', title: 'agent', show: (r) => r.agent },
  { key: 'status', title: 'status', show: (r) => r.status },
  { key: 'scenario', title: 'scn', show: (r) => String(r.scenario + 1), numeric: true },
  { key: 'cost', title: 'cost', show: (r) => (r.cached ? 'cached' : usd(r.cost)), numeric: true },
  { key: 'latency', title: 'ms', show: (r) => String(Math.round(r.latency)), numeric: true },
];

export class ResultsView {
  readonly element: HTMLElement;
  private rows: ResultRow[] = [];
  private shown: Int32Array | null = null;
  private sortKey: keyof ResultRow | null = null;
  private sortDescending = false;
  private query = '';
  private question = '';
  private groupBy: GroupBy = 'model';
  private complete = false;
  private readonly list: VirtualList;
  private readonly counter = h('span', { class: 'muted', id: 'results-count' });
  private readonly header: HTMLElement;
  private readonly questionSelect = h('select', { 'aria-label': 'Question', id: 'results-question' });
  private readonly charts = h('div', { class: 'charts', id: 'charts' });
  private readonly detail = h('dl', { class: 'detail', id: 'result-detail', hidden: '' });
  private searchText: string[] | null = null;
  private chartsTimer: ReturnType<typeof setTimeout> | undefined;
  private questions: readonly QuestionInfo[] = [];
  private chartsWidth = 0;

  constructor() {
    this.list = new VirtualList({
      rowHeight: 22,
      rowClass: 'result-row',
      render: (el, index) => {
        const row = this.rows[this.shown ? (this.shown[index] ?? 0) : index];
        if (!row) return;
        if (el.childElementCount !== COLUMNS.length) {
          el.replaceChildren(...COLUMNS.map((c) => h('span', { class: c.numeric ? 'num' : '' })));
        }
        COLUMNS.forEach((column, i) => {
          const cell = el.children[i] as HTMLElement;
          cell.textContent = column.show(row);
          cell.title = cell.textContent; // the whole text on hover when the cell elides it
        });
        el.dataset.status = row.status;
      },
      onSelect: (index) => this.showDetail(this.rows[this.shown ? (this.shown[index] ?? 0) : index]),
    });
    this.header = h('div', { class: 'result-header', role: 'row' });
    for (const column of COLUMNS) {
      const button = h('button', { class: `column ${column.numeric ? 'num' : ''}`, title: `Sort by ${column.title}`, 'data-key': column.key }, column.title);
      button.addEventListener('click', () => this.sortBy(column.key));
      this.header.append(button);
    }
    const search = h('input', { type: 'search', placeholder: 'Filter results', 'aria-label': 'Filter results', id: 'results-filter' });
    search.addEventListener('input', () => {
      this.query = search.value.trim().toLowerCase();
      this.apply();
    });
    this.questionSelect.addEventListener('change', () => {
      this.question = this.questionSelect.value;
      this.apply();
    });
    const groupSelect = h('select', { 'aria-label': 'Charts by' }, h('option', { value: 'model' }, 'by model'), h('option', { value: 'agent' }, 'by agent'));
    groupSelect.addEventListener('change', () => {
      this.groupBy = groupSelect.value as GroupBy;
      this.drawCharts();
    });
    new ResizeObserver(() => {
      if (this.rows.length > 0 && Math.abs(this.charts.clientWidth - this.chartsWidth) > 16) this.scheduleCharts();
    }).observe(this.charts);
    this.element = h(
      'section',
      { class: 'results-view' },
      h('div', { class: 'toolbar' }, search, this.questionSelect, this.counter),
      h('div', { class: 'table' }, this.header, this.list.element),
      this.detail,
      h('div', { class: 'toolbar' }, h('h3', {}, 'Charts'), groupSelect),
      this.charts,
    );
  }

  /** The whole of one result, below the table: a narrow panel cuts its cells short. */
  private showDetail(row: ResultRow | undefined): void {
    if (!row) return;
    clear(this.detail);
    const fields: [string, string][] = [
      ['interview', `${row.interview + 1} · scenario ${row.scenario + 1} · agent ${row.agent} · model ${row.model}`],
      ['question', row.question],
      ['answer', row.answer],
      ['status', `${row.status}${row.cached ? ' · from the cache' : ''} · ${usd(row.cost)} · ${Math.round(row.latency)} ms`],
    ];
    if (row.error) fields.push(['error', row.error]);
    for (const [term, text] of fields) this.detail.append(h('dt', {}, term), h('dd', {}, text));
    this.detail.hidden = false;
  }

  /** The questions as the file states them: charts follow their types and option order. */
  setQuestions(questions: readonly QuestionInfo[]): void {
    this.questions = questions;
    if (this.rows.length > 0) this.drawCharts();
  }

  set(rows: ResultRow[], complete: boolean): void {
    this.rows = rows;
    this.complete = complete;
    this.changed();
  }

  append(rows: readonly ResultRow[], complete: boolean): void {
    for (const row of rows) this.rows.push(row);
    this.complete = complete;
    this.changed();
  }

  get size(): number {
    return this.rows.length;
  }

  private changed(): void {
    this.searchText = null;
    const questions = [...new Set(this.rows.map((r) => r.question))];
    if (this.questionSelect.options.length !== questions.length + 1) {
      clear(this.questionSelect);
      this.questionSelect.append(h('option', { value: '' }, 'all questions'), ...questions.map((q) => h('option', { value: q }, q)));
      this.questionSelect.value = questions.includes(this.question) ? this.question : '';
    }
    this.apply();
    this.scheduleCharts();
  }

  /** Charts redraw whole: at once when the last rows are in, else at most once a second while they arrive. */
  private scheduleCharts(): void {
    if (this.complete) {
      clearTimeout(this.chartsTimer);
      this.chartsTimer = undefined;
      this.drawCharts();
      return;
    }
    this.chartsTimer ??= setTimeout(() => {
      this.chartsTimer = undefined;
      this.drawCharts();
    }, CHARTS_REDRAW_MS);
  }

  private sortBy(key: keyof ResultRow): void {
    this.sortDescending = this.sortKey === key ? !this.sortDescending : false;
    this.sortKey = key;
    for (const button of this.header.querySelectorAll('button')) {
      button.dataset.sorted = button.dataset.key === key ? (this.sortDescending ? 'desc' : 'asc') : '';
    }
    this.apply();
  }

  /** Filter, then sort, as an index array: the rows themselves never move. */
  private apply(): void {
    const rows = this.rows;
    let indices: number[] | null = null;
    if (this.query || this.question) {
      this.searchText ??= rows.map((r) =>
        `${r.agent}\u0000${r.model}\u0000${r.question}\u0000${r.status}\u0000${r.answer}\u0000${r.error ?? ''}`.toLowerCase(),
      );
      const text = this.searchText;
      indices = [];
      for (let i = 0; i < rows.length; i++) {
        if (this.question && rows[i]!.question !== this.question) continue;
        if (this.query && !text[i]!.includes(this.query)) continue;
        indices.push(i);
      }
    }
    if (this.sortKey) {
      indices ??= Array.from({ length: rows.length }, (_, i) => i);
      const key = this.sortKey;
      const direction = this.sortDescending ? -1 : 1;
      indices.sort((a, b) => direction * compare(rows[a]![key], rows[b]![key]) || a - b);
    }
    this.shown = indices ? Int32Array.from(indices) : null;
    const n = this.shown ? this.shown.length : rows.length;
    this.counter.textContent = `${count(n)}${this.shown ? ` of ${count(rows.length)}` : ''} results${this.complete ? '' : ' so far'}`;
    this.counter.dataset.count = String(n);
    this.list.setCount(n);
    this.list.refresh();
  }

  private drawCharts(): void {
    // Sized to the panel: the chart's border and padding take 26 px of the list's width.
    this.chartsWidth = this.charts.clientWidth;
    const width = Math.max(240, (this.chartsWidth || 500) - 26);
    clear(this.charts);
    const charts = questionCharts(this.rows, this.questions, this.groupBy, width);
    if (charts.length === 0) this.charts.append(h('p', { class: 'muted' }, 'No answers yet.'));
    for (const chart of charts) this.charts.append(chart);
  }
}

const CHARTS_REDRAW_MS = 1000;
const collator = new Intl.Collator(undefined, { numeric: true });

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  return collator.compare(String(a), String(b));
}
