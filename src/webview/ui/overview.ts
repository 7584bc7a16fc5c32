// The overview: status, progress (counted in calls), actions, and per model the estimate beside what the job did.
// Four narrow columns, each cell one figure over another, so it fits a half-width panel without scrolling sideways.
import type { Job, ModelCost } from '../../api/job';
import type { CallProgress, EstimateView, PanelMessage, ResultRow } from '../messages';
import { clear, count, h, usd } from './dom';

export class OverviewView {
  readonly element = h('section', { class: 'overview' });
  /** Set when Run was clicked, until the job (or an error) arrives: the click shows at once. */
  submitting = false;

  constructor(private readonly send: (message: PanelMessage) => void) {}

  render(job: Job | null, estimate: EstimateView | null, rows: readonly ResultRow[], calls: CallProgress): void {
    clear(this.element);
    if (job) this.element.append(this.jobSummary(job, calls));
    if (estimate || job) this.element.append(this.perModel(job, estimate, rows));
  }

  private jobSummary(job: Job, calls: CallProgress): HTMLElement {
    const p = job.progress;
    const done = p.interviews_done + p.interviews_failed;
    const finished = job.finished_at !== null;
    const callsMade = Math.max(calls.callsMade ?? 0, p.calls_done);
    // Calls move while interviews are long; the interview count is the truth once the job has ended.
    const byCalls = calls.callsExpected ? callsMade / calls.callsExpected : 0;
    const byInterviews = p.interviews_total > 0 ? done / p.interviews_total : 0;
    const percent = finished ? Math.round(byInterviews * 100) : Math.min(99, Math.round(Math.max(byCalls, byInterviews) * 100));
    const bar = h(
      'div',
      { class: 'progress', role: 'progressbar', 'aria-valuenow': String(percent), 'aria-valuemin': '0', 'aria-valuemax': '100', id: 'job-progress' },
      h('div', { class: 'progress-fill' }),
    );
    (bar.firstChild as HTMLElement).style.width = `${percent}%`;
    const running = job.status === 'running' || job.status === 'queued';
    const actions = h('div', { class: 'actions' });
    if (running) actions.append(this.button('Cancel', { type: 'cancel' }, 'secondary'));
    if (job.status === 'failed' || job.status === 'partially_failed' || job.status === 'cancelled')
      actions.append(this.button('Retry failed interviews', { type: 'retry' }));
    const compare = this.button('Compare with…', { type: 'compare' }, 'secondary');
    compare.id = 'compare-button';
    actions.append(compare, this.button('Copy job id', { type: 'copyId' }, 'secondary'));
    const expected = calls.callsExpected && !finished ? ` of about ${count(calls.callsExpected)}` : '';
    return h(
      'div',
      { class: 'summary' },
      h(
        'div',
        { class: 'title-row' },
        h('h2', {}, job.name),
        h('span', { class: `badge status-${job.status}`, id: 'job-status' }, job.status.replace('_', ' ')),
      ),
      h('p', { class: 'muted meta' }, `${job.kind} · ${job.source_name} · ${job.models.join(', ')}`, h('br'), h('span', { class: 'job-id' }, job.id)),
      bar,
      h(
        'p',
        { id: 'job-counts' },
        h('span', { class: 'figure' }, `${count(callsMade)}${expected} calls`),
        h(
          'span',
          { class: 'figure' },
          `${count(p.interviews_done)} of ${count(p.interviews_total)} interviews done${p.interviews_failed ? `, ${count(p.interviews_failed)} failed` : ''}`,
        ),
        h('span', { class: 'figure' }, `cost ${usd(job.cost.usd)}`),
        h('span', { class: 'figure muted' }, `${count(job.cost.input_tokens)} in / ${count(job.cost.output_tokens)} out tokens`),
      ),
      job.error ? h('p', { class: 'error' }, job.error) : null,
      actions,
    );
  }

  private perModel(job: Job | null, view: EstimateView | null, rows: readonly ResultRow[]): HTMLElement {
    const estimate = view?.estimate;
    const actual = actualByModel(job, rows);
    const models = [...new Set([...(estimate?.models.map((m) => m.model) ?? []), ...(job?.models ?? []), ...actual.keys()])];
    const both = Boolean(estimate && job);
    const head = h('tr', {}, ...['model', 'calls', 'tokens in / out', 'cost'].map((t, i) => h('th', { class: i > 0 ? 'num' : '' }, t)));
    const body = models.map((model) => {
      const m = estimate?.models.find((e) => e.model === model);
      const a = actual.get(model);
      const estCalls = m ? `${count(m.calls)}${m.cached_calls ? ` (${count(m.cached_calls)} cached)` : ''}` : null;
      const actCalls = a ? `${count(a.calls)}${a.cached_calls ? ` (${count(a.cached_calls)} cached)` : ''}` : null;
      const estTokens = m ? `${count(m.input_tokens)} / ${count(m.output_tokens.low)}–${count(m.output_tokens.high)}` : null;
      const actTokens = a && a.input_tokens !== null ? `${count(a.input_tokens)} / ${count(a.output_tokens ?? 0)}` : null;
      const estCost = m ? (m.usd ? `${usd(m.usd.expected)} (${usd(m.usd.low)}–${usd(m.usd.high)})` : 'price unknown') : null;
      const actCost = a ? usd(a.usd) : null;
      return h(
        'tr',
        {},
        h('td', {}, h('div', { class: 'model' }, model), m ? h('div', { class: 'muted small' }, `${m.price_source}; ${m.token_source}`) : null),
        pair(estCalls, actCalls, both),
        pair(estTokens, actTokens, both),
        pair(estCost, actCost, both),
      );
    });
    const table = h('table', { class: 'estimate', id: 'estimate-table' }, h('thead', {}, head), h('tbody', {}, ...body));
    const parts: (HTMLElement | null)[] = [h('h3', {}, estimate ? `Estimate${job ? ' vs actual' : ''} per model` : 'Per model')];
    if (estimate) {
      parts.push(
        h(
          'p',
          {},
          `${count(estimate.interviews)} interviews · ${count(estimate.total.calls)} calls (${count(estimate.total.cached_calls)} cached) · expected ${estimate.total.usd ? `${usd(estimate.total.usd.expected)} (${usd(estimate.total.usd.low)}–${usd(estimate.total.usd.high)})` : 'unknown'}`,
        ),
      );
    }
    parts.push(table);
    if (estimate && estimate.notes.length > 0) parts.push(h('ul', { class: 'notes' }, ...estimate.notes.map((n) => h('li', { class: 'muted' }, n))));
    if (view?.canRun && !job) {
      const run = this.button(this.submitting ? 'Submitting…' : `▶ Run ${view.fileName}`, { type: 'run' });
      run.id = 'run-button';
      if (this.submitting) run.disabled = true;
      run.addEventListener('click', () => {
        // Shown before the host answers: starting a local server can take a second or two.
        this.submitting = true;
        run.textContent = 'Submitting…';
        run.disabled = true;
      });
      parts.push(h('div', { class: 'actions' }, run));
    }
    return h('div', { class: 'per-model' }, ...parts);
  }

  private button(label: string, message: PanelMessage, kind = 'primary'): HTMLButtonElement {
    const button = h('button', { class: kind }, label);
    button.addEventListener('click', () => this.send(message));
    return button;
  }
}

interface ActualCost {
  calls: number;
  cached_calls: number;
  input_tokens: number | null;
  output_tokens: number | null;
  usd: number | null;
}

/** What each model did: the server's own counts when it sends them, else what the results add up to. */
function actualByModel(job: Job | null, rows: readonly ResultRow[]): Map<string, ActualCost> {
  const out = new Map<string, ActualCost>();
  if (job?.cost_by_model && job.cost_by_model.length > 0) {
    for (const c of job.cost_by_model as ModelCost[])
      out.set(c.model, { calls: c.calls, cached_calls: c.cached_calls, input_tokens: c.input_tokens, output_tokens: c.output_tokens, usd: c.usd });
    return out;
  }
  for (const row of rows) {
    const a = out.get(row.model) ?? { calls: 0, cached_calls: 0, input_tokens: null, output_tokens: null, usd: 0 };
    a.calls += 1;
    if (row.cached) a.cached_calls += 1;
    a.usd = (a.usd ?? 0) + (row.cost ?? 0);
    out.set(row.model, a);
  }
  return out;
}

/** A cell with the estimate over the actual figure (each labelled when both are shown). */
function pair(estimated: string | null, actual: string | null, both: boolean): HTMLElement {
  const cell = h('td', { class: 'num' });
  if (estimated === null && actual === null) cell.append('—');
  if (estimated !== null) cell.append(h('div', {}, both ? h('span', { class: 'muted' }, 'est. ') : null, estimated));
  if (actual !== null) cell.append(h('div', {}, both ? h('span', { class: 'muted' }, 'actual ') : null, actual));
  return cell;
}
