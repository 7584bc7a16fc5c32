// The store's cache of calls. Calls are buffered in memory as providers answer them and written with the store's
// other buffered rows (job bills, model costs) in one transaction, so a job's cost never runs ahead of or behind the
// calls it paid for. Reads look in the buffer first. Each call lives in a scope (see CacheScope in store.ts).
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { cachedCallFromRow, type CachedCallRow } from './rows';
import type { CachedCall, CacheScope, CacheStats, StoredCall } from './store';

/** A call waiting to be written, with how many times it was put since the last write. */
export interface PendingCall extends StoredCall {
  scope: CacheScope;
  calls: number;
}

export class CallCache {
  /** By scope, then key: two levels, so that a lookup on the hot path builds no joined string. */
  private readonly pending = new Map<CacheScope, Map<string, PendingCall>>();
  private size = 0;
  private readonly select: StatementSync;
  private readonly exists: StatementSync;
  private readonly upsert: StatementSync;
  private readonly count: StatementSync;
  private readonly removeAll: StatementSync;

  constructor(db: DatabaseSync) {
    this.select = db.prepare(`SELECT key, raw, input_tokens, output_tokens, cost_usd, model_version, paid_job, paid_interview
      FROM call_cache WHERE scope = ? AND key = ?`);
    this.exists = db.prepare('SELECT 1 FROM call_cache WHERE scope = ? AND key = ?');
    // A call stored again (a fresh run) replaces the answer, and its payer with it; `calls` counts the puts.
    this.upsert = db.prepare(`INSERT INTO call_cache (scope, key, raw, input_tokens, output_tokens, cost_usd, model_version,
        created_at, bytes, calls, paid_job, paid_interview) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (scope, key) DO UPDATE SET raw = excluded.raw, input_tokens = excluded.input_tokens,
        output_tokens = excluded.output_tokens, cost_usd = excluded.cost_usd, model_version = excluded.model_version,
        created_at = excluded.created_at, bytes = excluded.bytes, calls = call_cache.calls + excluded.calls,
        paid_job = excluded.paid_job, paid_interview = excluded.paid_interview`);
    this.count = db.prepare('SELECT count(*) AS entries, coalesce(sum(bytes), 0) AS bytes FROM call_cache');
    this.removeAll = db.prepare('DELETE FROM call_cache');
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  get(scope: CacheScope, key: string): StoredCall | null {
    const pending = this.pending.get(scope)?.get(key);
    if (pending) return stored(pending);
    const row = this.select.get(scope, key) as CachedCallRow | undefined;
    return row ? cachedCallFromRow(row) : null;
  }

  has(scope: CacheScope, key: string): boolean {
    return this.pending.get(scope)?.has(key) === true || this.exists.get(scope, key) !== undefined;
  }

  put(scope: CacheScope, call: CachedCall, paidBy: { job: string; interview: number | null } | null): void {
    let calls = this.pending.get(scope);
    if (!calls) this.pending.set(scope, (calls = new Map()));
    const before = calls.get(call.key);
    if (!before) this.size++;
    calls.set(call.key, {
      scope,
      key: call.key,
      raw: call.raw,
      input_tokens: call.input_tokens,
      output_tokens: call.output_tokens,
      cost_usd: call.cost_usd,
      model_version: call.model_version,
      paid_job: paidBy?.job ?? null,
      paid_interview: paidBy?.interview ?? null,
      calls: (before?.calls ?? 0) + 1,
    });
  }

  /** Empties the buffer and returns what was in it, for `write` inside the store's transaction. */
  take(): PendingCall[] {
    const taken: PendingCall[] = [];
    for (const calls of this.pending.values()) for (const call of calls.values()) taken.push(call);
    this.pending.clear();
    this.size = 0;
    return taken;
  }

  /** Writes calls taken from the buffer; call inside the store's write transaction. */
  write(calls: readonly PendingCall[]): void {
    // One time stamp per write: the calls of one batch were answered within the same turn of the event loop.
    const createdAt = new Date().toISOString();
    for (const call of calls) {
      this.upsert.run(
        call.scope,
        call.key,
        call.raw,
        call.input_tokens,
        call.output_tokens,
        call.cost_usd,
        call.model_version,
        createdAt,
        Buffer.byteLength(call.key) + Buffer.byteLength(call.raw),
        call.calls,
        call.paid_job,
        call.paid_interview,
      );
    }
  }

  /** Stored calls only: the store writes the buffer first. */
  stats(): CacheStats {
    const row = this.count.get() as { entries: number; bytes: number };
    return { entries: row.entries, bytes: row.bytes };
  }

  /** Stored calls only: the store writes the buffer first. */
  clear(): number {
    return Number(this.removeAll.run().changes);
  }
}

/** A buffered call in the shape a stored one is read back in. */
function stored(call: PendingCall): StoredCall {
  return {
    key: call.key,
    raw: call.raw,
    input_tokens: call.input_tokens,
    output_tokens: call.output_tokens,
    cost_usd: call.cost_usd,
    model_version: call.model_version,
    paid_job: call.paid_job,
    paid_interview: call.paid_interview,
  };
}
