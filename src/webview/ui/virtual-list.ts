// A list that renders only the rows in view: fixed row height, a spacer for the scroll height, a pool of row
// elements reused as it scrolls. This is what keeps the log and the results table fast at 100,000 rows.
export interface VirtualListOptions {
  rowHeight: number;
  /** Fills a pooled row element for row `index`. */
  render(row: HTMLElement, index: number): void;
  rowClass?: string;
  /** A click on a row: the panel opens what the row cuts short. */
  onSelect?(index: number): void;
}

export class VirtualList {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly pool: HTMLElement[] = [];
  private count = 0;
  private frame = 0;
  private selected = -1;

  constructor(private readonly options: VirtualListOptions) {
    this.element = document.createElement('div');
    this.element.className = 'virtual-list';
    this.element.tabIndex = 0;
    this.spacer = document.createElement('div');
    this.spacer.className = 'virtual-spacer';
    this.element.append(this.spacer);
    this.element.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.element);
    this.element.addEventListener('click', (event) => {
      const row = (event.target as HTMLElement).closest<HTMLElement>('.virtual-row');
      if (!row?.dataset.index) return;
      this.selected = Number(row.dataset.index);
      this.renderNow();
      this.options.onSelect?.(this.selected);
    });
  }

  /** New row count; keeps the scroll position, or follows the end when `follow` and it was at the end. */
  setCount(count: number, follow = false): void {
    const atEnd = this.element.scrollTop + this.element.clientHeight >= this.element.scrollHeight - this.options.rowHeight * 2;
    this.count = count;
    this.spacer.style.height = `${count * this.options.rowHeight}px`;
    if (follow && atEnd) this.element.scrollTop = this.element.scrollHeight;
    this.renderNow();
  }

  scrollToTop(): void {
    this.element.scrollTop = 0;
    this.renderNow();
  }

  refresh(): void {
    this.renderNow();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderNow();
    });
  }

  private renderNow(): void {
    const { rowHeight } = this.options;
    const height = this.element.clientHeight || 400;
    const first = Math.max(0, Math.floor(this.element.scrollTop / rowHeight) - 5);
    const visible = Math.min(this.count - first, Math.ceil(height / rowHeight) + 10);
    while (this.pool.length < visible) {
      const row = document.createElement('div');
      row.className = `virtual-row ${this.options.rowClass ?? ''}`;
      row.style.height = `${rowHeight}px`;
      this.element.append(row);
      this.pool.push(row);
    }
    this.pool.forEach((row, i) => {
      if (i < visible) {
        row.style.display = '';
        row.style.transform = `translateY(${(first + i) * rowHeight}px)`;
        row.dataset.index = String(first + i);
        row.setAttribute('aria-selected', String(first + i === this.selected));
        this.options.render(row, first + i);
      } else row.style.display = 'none';
    });
  }
}
