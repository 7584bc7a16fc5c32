// What a PostgreSQL store holds in memory between flushes: calls providers answered, the bill of each (to its job and
// model), and cache hits. Taken out whole and written in one transaction, as the SQLite store does with its CallCache
// and ModelCostLedger, so a job's cost never runs ahead of or behind the calls it paid for. Bills are kept one per call:
// the write bills only those the ledger (call_bills) has not seen, so a call two replicas answered is billed once.
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

/** One paid call's bill: to its job (and model's row, when named), keyed by the call and the interview that asked. */
export interface PendingBill {
  job_id: string;
  model: string | null;
  scope: CacheScope;
  key: string;
  interview: number;
  usd: number;
  priced: boolean;
  input_tokens: number;
  output_tokens: number;
}

/** The interview of a call billed outside any interview (none today): one number, so the ledger's key stays whole. */
export const NO_INTERVIEW = -1;

export interface TakenWrites {
  calls: PendingCall[];
  bills: PendingBill[];
  /** Cache hits per (job, model); paid calls are added from `bills` once the ledger has taken them. */
  costs: PendingCost[];
}

export class PendingWrites {
  private readonly calls = new Map<CacheScope, Map<string, PendingCall>>();
  /** Calls taken for a write that has not committed yet: still read from here, or a read in between misses them. */
  private writing = new Map<CacheScope, Map<string, PendingCall>>();
  private bills: PendingBill[] = [];
  private readonly costs = new Map<string, PendingCost>();

  get isEmpty(): boolean {
    return this.calls.size === 0 && this.costs.size === 0 && this.bills.length === 0;
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
    this.bills.push({
      job_id: bill.job,
      model: bill.model ?? null,
      scope,
      key: call.key,
      interview: bill.interview ?? NO_INTERVIEW,
      usd: call.cost_usd ?? 0,
      priced: call.cost_usd !== null,
      input_tokens: call.input_tokens,
      output_tokens: call.output_tokens,
    });
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
    const taken = { calls, bills: this.bills, costs: [...this.costs.values()] };
    this.writing = new Map(this.calls);
    this.calls.clear();
    this.bills = [];
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
    this.bills = [...taken.bills, ...this.bills];
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
