// What a finished run says, aggregated while results stream past: memory grows with models, questions and a
// bounded number of distinct answers — not with results.
import type { Estimate, Job, ModelCost, Result } from '../api';
import { count, seconds, table, usd } from './format';

interface ModelTotals {
  interviews: Set<number>;
  calls: number;
  cached: number;
  failed: number;
  input_tokens: number;
  output_tokens: number;
  usd: number;
  priced: boolean;
}

/** Distinct answers kept per question; past this the question is treated as free text. */
const MAX_DISTINCT = 100;

export class AnswerTally {
  answered = 0;
  private readonly options = new Map<string, number>();
  private overflow = false;
  private numbers = { n: 0, sum: 0, min: Infinity, max: -Infinity };
  private readonly shares = new Map<string, { n: number; sum: number }>();

  add(answer: unknown): void {
    this.answered++;
    if (typeof answer === 'number' && Number.isFinite(answer)) {
      this.number(answer);
    } else if (typeof answer === 'string' || typeof answer === 'boolean') {
      this.option(String(answer));
    } else if (Array.isArray(answer)) {
      // checkbox, rank, top_k, list: each chosen option counts once for this answer
      for (const item of new Set(answer.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))))) this.option(item);
    } else if (answer !== null && typeof answer === 'object') {
      // budget: a share per option
      for (const [key, value] of Object.entries(answer)) {
        if (typeof value !== 'number' || this.shares.size >= MAX_DISTINCT) continue;
        const share = this.shares.get(key) ?? { n: 0, sum: 0 };
        share.n++;
        share.sum += value;
        this.shares.set(key, share);
      }
    }
  }

  describe(): string {
    if (this.answered === 0) return 'no answers';
    const parts: string[] = [];
    if (this.numbers.n > 0) {
      const { n, sum, min, max } = this.numbers;
      parts.push(`mean ${round(sum / n)} (min ${round(min)}, max ${round(max)})`);
    }
    if (this.overflow) {
      parts.push(`more than ${MAX_DISTINCT} distinct answers`);
    } else if (this.options.size > 0) {
      const top = [...this.options.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
      const rest = this.options.size - top.length;
      parts.push(top.map(([option, n]) => `${clip(option)} ${Math.round((100 * n) / this.answered)}%`).join(', ') + (rest > 0 ? ` (+${rest} more)` : ''));
    }
    if (this.shares.size > 0) {
      const top = [...this.shares.entries()].sort((a, b) => b[1].sum / b[1].n - a[1].sum / a[1].n).slice(0, 3);
      parts.push(`mean ${top.map(([key, s]) => `${clip(key)} ${round(s.sum / s.n)}`).join(', ')}`);
    }
    return parts.join('; ') || `${count(this.answered)} answers`;
  }

  private number(value: number): void {
    const s = this.numbers;
    s.n++;
    s.sum += value;
    s.min = Math.min(s.min, value);
    s.max = Math.max(s.max, value);
  }

  private option(key: string): void {
    if (this.overflow) return;
    if (!this.options.has(key) && this.options.size >= MAX_DISTINCT) {
      this.overflow = true;
      this.options.clear();
      return;
    }
    this.options.set(key, (this.options.get(key) ?? 0) + 1);
  }
}

export class RunSummary {
  private readonly models = new Map<string, ModelTotals>();
  private readonly questions = new Map<string, AnswerTally>();

  add(result: Result): void {
    let totals = this.models.get(result.model);
    if (!totals) {
      totals = { interviews: new Set(), calls: 0, cached: 0, failed: 0, input_tokens: 0, output_tokens: 0, usd: 0, priced: false };
      this.models.set(result.model, totals);
    }
    totals.interviews.add(result.interview);
    if (result.status !== 'skipped') totals.calls++;
    if (result.cached) totals.cached++;
    if (result.status === 'failed') totals.failed++;
    totals.input_tokens += result.input_tokens;
    totals.output_tokens += result.output_tokens;
    if (result.cost_usd !== null) {
      totals.usd += result.cost_usd;
      totals.priced = true;
    }

    let tally = this.questions.get(result.question);
    if (!tally) {
      tally = new AnswerTally();
      this.questions.set(result.question, tally);
    }
    if (result.status === 'answered') tally.add(result.answer);
  }

  modelTable(): string {
    const rows = [...this.models.entries()].map(([model, t]) => [
      model,
      count(t.interviews.size),
      count(t.calls),
      count(t.cached),
      count(t.failed),
      count(t.input_tokens),
      count(t.output_tokens),
      t.priced ? usd(t.usd) : '—',
    ]);
    return table(['model', 'interviews', 'calls', 'cached', 'failed', 'input tokens', 'output tokens', 'cost'], rows, [
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
    ]);
  }

  /**
   * Actual cost next to the estimate made before the run, per model. `actual` is the server's own count
   * (job.cost_by_model: every billed call, including those of interviews cut short); without it (an older server)
   * the results seen here are added up instead. Models billed but not estimated apart (graders, embedders) get rows too.
   */
  costTable(estimate: Estimate, actual?: readonly ModelCost[]): string {
    const billed = new Map<string, { usd: number | null; input_tokens: number; output_tokens: number; calls: number; cached_calls: number }>();
    if (actual) for (const m of actual) billed.set(m.model, m);
    else for (const [model, t] of this.models) billed.set(model, { ...t, usd: t.priced ? t.usd : null, cached_calls: t.cached });
    const rows = estimate.models.map((m) => {
      const t = billed.get(m.model);
      const range = m.usd ? `${usd(m.usd.low)} – ${usd(m.usd.high)} (expected ${usd(m.usd.expected)})` : 'unknown';
      return [
        m.model,
        `${count(m.calls)} (${count(m.cached_calls)} cached) / ${t ? `${count(t.calls)} (${count(t.cached_calls)} cached)` : '—'}`,
        range,
        t ? (t.usd === null ? 'unknown' : usd(t.usd)) : '—',
        `${count(m.input_tokens)} / ${t ? count(t.input_tokens) : '—'}`,
        `${count(m.output_tokens.low)}–${count(m.output_tokens.high)} / ${t ? count(t.output_tokens) : '—'}`,
      ];
    });
    const estimated = new Set(estimate.models.map((m) => m.model));
    for (const [model, t] of billed) {
      if (estimated.has(model)) continue;
      rows.push([
        model,
        `— / ${count(t.calls)} (${count(t.cached_calls)} cached)`,
        '—',
        t.usd === null ? 'unknown' : usd(t.usd),
        `— / ${count(t.input_tokens)}`,
        `— / ${count(t.output_tokens)}`,
      ]);
    }
    return table(['model', 'calls est. / actual', 'estimated cost', 'actual cost', 'input tokens est. / actual', 'output tokens est. / actual'], rows, [
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
    ]);
  }

  questionTable(): string {
    const rows = [...this.questions.entries()].map(([question, tally]) => [question, count(tally.answered), tally.describe()]);
    return table(['question', 'answered', 'answers'], rows, ['left', 'right', 'left']);
  }

  get isEmpty(): boolean {
    return this.models.size === 0;
  }
}

/** One line that says how the job ended. */
export function headline(job: Job): string {
  const p = job.progress;
  const took = job.started_at && job.finished_at ? ` in ${seconds(Date.parse(job.finished_at) - Date.parse(job.started_at))}` : '';
  const status = job.status.replace('_', ' ');
  return (
    `Job ${job.id} (${job.name}) ${status}${took}: ${count(p.interviews_done)}/${count(p.interviews_total)} interviews` +
    (p.interviews_failed > 0 ? ` (${count(p.interviews_failed)} failed)` : '') +
    `, ${count(p.calls_done)} calls (${count(p.calls_cached)} cached), ${usd(job.cost.usd)}.` +
    (job.error ? ` ${job.error}` : '')
  );
}

function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return JSON.stringify(flat.length > 24 ? `${flat.slice(0, 23)}…` : flat);
}
