// Per (job, model) counts of calls and what they cost, gathered in memory as calls are made and written with the
// store's buffered call cache in one transaction — so a job's model rows never run behind its cached calls.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ModelCost } from '../../api';

interface PendingCost {
  job_id: string;
  model: string;
  calls: number;
  cached_calls: number;
  input_tokens: number;
  output_tokens: number;
  usd: number;
  unpriced_calls: number;
}

export class ModelCostLedger {
  private readonly pending = new Map<string, PendingCost>();
  private readonly upsert: StatementSync;
  private readonly select: StatementSync;

  constructor(db: DatabaseSync) {
    this.upsert = db.prepare(`INSERT INTO job_model_costs (job_id, model, calls, cached_calls, input_tokens, output_tokens,
        usd, unpriced_calls) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (job_id, model) DO UPDATE SET calls = calls + excluded.calls, cached_calls = cached_calls + excluded.cached_calls,
        input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
        usd = usd + excluded.usd, unpriced_calls = unpriced_calls + excluded.unpriced_calls`);
    // Ordered by first appearance would need a column; by name is stable and easy to read.
    this.select = db.prepare(`SELECT model, calls, cached_calls, input_tokens, output_tokens, usd, unpriced_calls
      FROM job_model_costs WHERE job_id = ? ORDER BY model`);
  }

  get isEmpty(): boolean {
    return this.pending.size === 0;
  }

  /** A call a provider answered and billed. */
  billed(jobId: string, model: string, call: { input_tokens: number; output_tokens: number; cost_usd: number | null }): void {
    const row = this.row(jobId, model);
    row.calls++;
    row.input_tokens += call.input_tokens;
    row.output_tokens += call.output_tokens;
    if (call.cost_usd === null) row.unpriced_calls++;
    else row.usd += call.cost_usd;
  }

  /** A call the cache answered at no cost. */
  cached(jobId: string, model: string): void {
    const row = this.row(jobId, model);
    row.calls++;
    row.cached_calls++;
  }

  /** Writes what is pending; call inside the store's write transaction. Dropped even if it fails, like the calls. */
  write(): void {
    const rows = [...this.pending.values()];
    this.pending.clear();
    for (const r of rows) this.upsert.run(r.job_id, r.model, r.calls, r.cached_calls, r.input_tokens, r.output_tokens, r.usd, r.unpriced_calls);
  }

  /** Stored rows only: the store flushes first. */
  read(jobId: string): ModelCost[] {
    return (this.select.all(jobId) as unknown as Omit<PendingCost, 'job_id'>[]).map((row) => ({
      model: row.model,
      calls: row.calls,
      cached_calls: row.cached_calls,
      input_tokens: row.input_tokens,
      output_tokens: row.output_tokens,
      usd: row.unpriced_calls > 0 ? null : row.usd,
    }));
  }

  private row(jobId: string, model: string): PendingCost {
    const key = `${jobId}\u0000${model}`;
    let row = this.pending.get(key);
    if (!row) {
      row = { job_id: jobId, model, calls: 0, cached_calls: 0, input_tokens: 0, output_tokens: 0, usd: 0, unpriced_calls: 0 };
      this.pending.set(key, row);
    }
    return row;
  }
}
