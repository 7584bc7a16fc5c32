// What a PostgreSQL store holds in memory between flushes: calls providers answered, what they cost each job and each
// (job, model), and cache hits. Taken out whole and written in one transaction, as the SQLite store does with its
// CallCache and ModelCostLedger, so a job's cost never runs ahead of or behind the calls it paid for.
import type { CachedCall, CacheScope, CallBill, StoredCall } from '../store';

export interface PendingCall extends StoredCall {
  scope: CacheScope;
  calls: number;
}

export interface PendingCost {
  job_id: string;
  model: string;
  calls: number;
  cached_calls: number;
  input_tokens: number;
  output_tokens: number;
  usd: number;
  unpriced_calls: number;
}

export interface PendingBill {
  usd: number;
  input_tokens: number;
  output_tokens: number;
}

export interface TakenWrites {
  calls: PendingCall[];
  bills: [string, PendingBill][];
  costs: PendingCost[];
}

export class PendingWrites {
  private readonly calls = new Map<CacheScope, Map<string, PendingCall>>();
  /** Calls taken for a write that has not committed yet: still read from here, or a read in between misses them. */
  private writing = new Map<CacheScope, Map<string, PendingCall>>();
  private readonly bills = new Map<string, PendingBill>();
  private readonly costs = new Map<string, PendingCost>();

  get isEmpty(): boolean {
    return this.calls.size === 0 && this.costs.size === 0 && this.bills.size === 0;
  }

  call(scope: CacheScope, key: string): StoredCall | null {
    const pending = this.calls.get(scope)?.get(key) ?? this.writing.get(scope)?.get(key);
    if (!pending) return null;
    const { scope: _scope, calls: _calls, ...stored } = pending;
    return stored;
  }

  put(scope: CacheScope, call: CachedCall, bill: CallBill | undefined): void {
    let calls = this.calls.get(scope);
    if (!calls) this.calls.set(scope, (calls = new Map()));
    const before = calls.get(call.key);
    calls.set(call.key, {
      scope,
      key: call.key,
      raw: call.raw,
      input_tokens: call.input_tokens,
      output_tokens: call.output_tokens,
      cost_usd: call.cost_usd,
      model_version: call.model_version,
      paid_job: bill?.job ?? null,
      paid_interview: bill?.interview ?? null,
      calls: (before?.calls ?? 0) + 1,
    });
    if (bill === undefined) return;
    const owed = this.bills.get(bill.job) ?? { usd: 0, input_tokens: 0, output_tokens: 0 };
    owed.usd += call.cost_usd ?? 0;
    owed.input_tokens += call.input_tokens;
    owed.output_tokens += call.output_tokens;
    this.bills.set(bill.job, owed);
    if (bill.model === undefined) return;
    const row = this.cost(bill.job, bill.model);
    row.calls++;
    row.input_tokens += call.input_tokens;
    row.output_tokens += call.output_tokens;
    if (call.cost_usd === null) row.unpriced_calls++;
    else row.usd += call.cost_usd;
  }

  cacheHit(jobId: string, model: string): void {
    const row = this.cost(jobId, model);
    row.calls++;
    row.cached_calls++;
  }

  /** Empties the buffer and returns what was in it; its calls stay readable until `written()`. */
  take(): TakenWrites {
    const calls: PendingCall[] = [];
    for (const byKey of this.calls.values()) calls.push(...byKey.values());
    const taken = { calls, bills: [...this.bills], costs: [...this.costs.values()] };
    this.writing = new Map(this.calls);
    this.calls.clear();
    this.bills.clear();
    this.costs.clear();
    return taken;
  }

  /** The write of what was taken last has ended (committed, or failed and dropped). */
  written(): void {
    this.writing = new Map();
  }

  /**
   * Puts back what a failed write took, under what was added since: the database was unreachable, and calls that
   * were paid for must still be stored and billed once it is back.
   */
  restore(taken: TakenWrites): void {
    for (const call of taken.calls) {
      let calls = this.calls.get(call.scope);
      if (!calls) this.calls.set(call.scope, (calls = new Map()));
      const newer = calls.get(call.key);
      calls.set(call.key, newer ? { ...newer, calls: newer.calls + call.calls } : call);
    }
    for (const [jobId, bill] of taken.bills) {
      const owed = this.bills.get(jobId) ?? { usd: 0, input_tokens: 0, output_tokens: 0 };
      owed.usd += bill.usd;
      owed.input_tokens += bill.input_tokens;
      owed.output_tokens += bill.output_tokens;
      this.bills.set(jobId, owed);
    }
    for (const cost of taken.costs) {
      const row = this.cost(cost.job_id, cost.model);
      row.calls += cost.calls;
      row.cached_calls += cost.cached_calls;
      row.input_tokens += cost.input_tokens;
      row.output_tokens += cost.output_tokens;
      row.usd += cost.usd;
      row.unpriced_calls += cost.unpriced_calls;
    }
  }

  private cost(jobId: string, model: string): PendingCost {
    const key = `${jobId}\u0000${model}`;
    let row = this.costs.get(key);
    if (!row) {
      row = { job_id: jobId, model, calls: 0, cached_calls: 0, input_tokens: 0, output_tokens: 0, usd: 0, unpriced_calls: 0 };
      this.costs.set(key, row);
    }
    return row;
  }
}
