// The overview: status, progress bar, actions, and the estimate against what the job actually cost, per model.
import type { Job } from '../../protocol/job';
import type { EstimateView, PanelMessage, ResultRow } from '../protocol';
import { clear, count, h, usd } from './dom';

export class OverviewView {
  readonly element = h('section', { class: 'overview' });

  constructor(private readonly send: (message: PanelMessage) => void) {}

  render(job: Job | null, estimate: EstimateView | null, rows: readonly ResultRow[]): void {
    clear(this.element);
    if (job) this.element.append(this.jobSummary(job));
    if (estimate || job) this.element.append(this.perModel(job, estimate, rows));
  }

  private jobSummary(job: Job): HTMLElement {
    const p = job.progress;
    const done = p.interviews_done + p.interviews_failed;
    const percent = p.interviews_total > 0 ? Math.round((done / p.interviews_total) * 100) : 0;
    const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': String(percent), 'aria-valuemin': '0', 'aria-valuemax': '100' }, h('div', { class: 'progress-fill' }));
    (bar.firstChild as HTMLElement).style.width = `${percent}%`;
    const running = job.status === 'running' || job.status === 'queued';
    const actions = h('div', { class: 'actions' });
    if (running) actions.append(this.button('Cancel', { type: 'cancel' }, 'secondary'));
    if (job.status === 'failed' || job.status === 'partially_failed' || job.status === 'cancelled') actions.append(this.button('Retry failed interviews', { type: 'retry' }));
    actions.append(this.button('Copy job id', { type: 'copyId' }, 'secondary'));
    return h(
      'div',
      { class: 'summary' },
      h('div', { class: 'title-row' }, h('h2', {}, job.name), h('span', { class: `badge status-${job.status}`, id: 'job-status' }, job.status.replace('_', ' '))),
      h('p', { class: 'muted' }, `${job.kind} · ${job.source_name} · ${job.id} · ${job.models.join(', ')}`),
      bar,
      h(
        'p',
        {},
        `${count(p.interviews_done)} of ${count(p.interviews_total)} interviews done`,
        p.interviews_failed ? `, ${count(p.interviews_failed)} failed` : '',
        ` · ${count(p.calls_done)} calls (${count(p.calls_cached)} from cache)`,
        ` · cost ${usd(job.cost.usd)} (${count(job.cost.input_tokens)} in / ${count(job.cost.output_tokens)} out tokens)`,
      ),
      job.error ? h('p', { class: 'error' }, job.error) : null,
      actions,
    );
  }

  private perModel(job: Job | null, view: EstimateView | null, rows: readonly ResultRow[]): HTMLElement {
    const actual = new Map<string, { calls: number; usd: number }>();
    for (const row of rows) {
      const a = actual.get(row.model) ?? { calls: 0, usd: 0 };
      a.calls += 1;
      a.usd += row.cost ?? 0;
      actual.set(row.model, a);
    }
    const estimate = view?.estimate;
    const models = [...new Set([...(estimate?.models.map((m) => m.model) ?? []), ...(job?.models ?? []), ...actual.keys()])];
    const head = h('tr', {}, ...['model', 'calls', 'cached', 'input tokens', 'output tokens', 'estimated cost', 'actual cost', 'price source'].map((t) => h('th', {}, t)));
    const body = models.map((model) => {
      const m = estimate?.models.find((e) => e.model === model);
      const a = actual.get(model);
      return h(
        'tr',
        {},
        h('td', {}, model),
        h('td', { class: 'num' }, m ? count(m.calls) : '—'),
        h('td', { class: 'num' }, m ? count(m.cached_calls) : '—'),
        h('td', { class: 'num' }, m ? count(m.input_tokens) : '—'),
        h('td', { class: 'num' }, m ? `${count(m.output_tokens.low)}–${count(m.output_tokens.high)}` : '—'),
        h('td', { class: 'num' }, m?.usd ? `${usd(m.usd.expected)} (${usd(m.usd.low)}–${usd(m.usd.high)})` : m ? 'price unknown' : '—'),
        h('td', { class: 'num' }, a ? usd(a.usd) : '—'),
        h('td', { class: 'muted' }, m ? `${m.price_source}; ${m.token_source}` : ''),
      );
    });
    const table = h('table', { class: 'estimate', id: 'estimate-table' }, h('thead', {}, head), h('tbody', {}, ...body));
    const parts: (HTMLElement | null)[] = [h('h3', {}, estimate ? `Estimate${job ? ' vs actual' : ''} per model` : 'Per model')];
    if (estimate) {
      parts.push(h('p', {}, `${count(estimate.interviews)} interviews · ${count(estimate.total.calls)} calls (${count(estimate.total.cached_calls)} cached) · expected ${estimate.total.usd ? `${usd(estimate.total.usd.expected)} (${usd(estimate.total.usd.low)}–${usd(estimate.total.usd.high)})` : 'unknown'}`));
    }
    parts.push(table);
    if (estimate && estimate.notes.length > 0) parts.push(h('ul', { class: 'notes' }, ...estimate.notes.map((n) => h('li', { class: 'muted' }, n))));
    if (view?.canRun && !job) parts.push(h('div', { class: 'actions' }, this.button(`▶ Run ${view.fileName}`, { type: 'run' })));
    return h('div', { class: 'per-model' }, ...parts);
  }

  private button(label: string, message: PanelMessage, kind = 'primary'): HTMLButtonElement {
    const button = h('button', { class: kind }, label);
    button.addEventListener('click', () => this.send(message));
    return button;
  }
}
