// The results: a virtualized table (sort by any column, filter by text and question) and the per-question charts.
import type { ResultRow } from '../protocol';
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
  { key: 'interview', title: '#', show: (r) => String(r.interview), numeric: true },
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
  private searchText: string[] | null = null;

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
    this.element = h(
      'section',
      { class: 'results-view' },
      h('div', { class: 'toolbar' }, search, this.questionSelect, this.counter),
      h('div', { class: 'table' }, this.header, this.list.element),
      h('div', { class: 'toolbar' }, h('h3', {}, 'Charts'), groupSelect),
      this.charts,
    );
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
    if (this.complete) this.drawCharts();
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
      this.searchText ??= rows.map((r) => `${r.agent}\u0000${r.model}\u0000${r.question}\u0000${r.status}\u0000${r.answer}\u0000${r.error ?? ''}`.toLowerCase());
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
    this.counter.textContent = `${count(n)}${this.shown ? ` of ${count(rows.length)}` : ''} results${this.complete ? '' : ' (loading…)'}`;
    this.counter.dataset.count = String(n);
    this.list.setCount(n);
    this.list.refresh();
  }

  private drawCharts(): void {
    clear(this.charts);
    const charts = questionCharts(this.rows, this.groupBy);
    if (charts.length === 0) this.charts.append(h('p', { class: 'muted' }, 'No answers yet.'));
    for (const chart of charts) this.charts.append(chart.element);
  }
}

const collator = new Intl.Collator(undefined, { numeric: true });

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  return collator.compare(String(a), String(b));
}
