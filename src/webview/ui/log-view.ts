// The live log: virtualized, follows the end while you are at the end, searchable.
import type { LogLine } from '../messages';
import { h } from './dom';
import { VirtualList } from './virtual-list';

export class LogView {
  readonly element: HTMLElement;
  private lines: LogLine[] = [];
  private shown: number[] | null = null;
  private query = '';
  private readonly list: VirtualList;
  private readonly counter = h('span', { class: 'muted', id: 'log-count' });
  private readonly detail = h('pre', { class: 'detail', id: 'log-detail', hidden: '' });

  constructor() {
    this.list = new VirtualList({
      rowHeight: 20,
      rowClass: 'log-line',
      render: (row, index) => {
        const line = this.lines[this.shown ? (this.shown[index] ?? 0) : index];
        if (!line) return;
        row.textContent = `${line.at.slice(11, 19)}  ${line.type.padEnd(16)} ${line.message}`;
        row.dataset.type = line.type;
        row.title = 'Click to read the whole line';
      },
      onSelect: (index) => {
        const line = this.lines[this.shown ? (this.shown[index] ?? 0) : index];
        if (!line) return;
        this.detail.textContent = `${line.at}  ${line.type}\n${line.message}`;
        this.detail.hidden = false;
      },
    });
    const search = h('input', { type: 'search', placeholder: 'Search the log', 'aria-label': 'Search the log', id: 'log-search' });
    search.addEventListener('input', () => {
      this.query = search.value.trim().toLowerCase();
      this.filter();
      this.list.scrollToTop();
    });
    this.element = h('section', { class: 'log-view' }, h('div', { class: 'toolbar' }, search, this.counter), this.list.element, this.detail);
  }

  set(lines: LogLine[]): void {
    this.lines = lines.slice();
    this.filter();
  }

  append(lines: readonly LogLine[]): void {
    const from = this.lines.length;
    for (const line of lines) this.lines.push(line);
    if (this.shown) for (let i = from; i < this.lines.length; i++) if (this.matches(this.lines[i]!)) this.shown.push(i);
    this.update(true);
  }

  private filter(): void {
    this.shown = this.query ? this.lines.flatMap((line, i) => (this.matches(line) ? [i] : [])) : null;
    this.update(false);
  }

  private matches(line: LogLine): boolean {
    return line.message.toLowerCase().includes(this.query) || line.type.includes(this.query);
  }

  private update(follow: boolean): void {
    const n = this.shown ? this.shown.length : this.lines.length;
    this.counter.textContent = this.shown ? `${n} of ${this.lines.length} lines` : `${n} lines`;
    this.list.setCount(n, follow);
  }
}
