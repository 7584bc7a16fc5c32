// The embedded store: one SQLite file through Node's built-in `node:sqlite`, WAL mode, statements prepared once.
// Each table lives in its own file (jobs, results, events, keys, call cache, model costs); this class ties them
// together and owns what spans them: the buffered writes and the transactions they go to disk in.
import { DatabaseSync } from 'node:sqlite';
import type { Job, JobEvent, JobListQuery, JobStatus, ModelCost, Result } from '../../protocol';
import { ApiKeyTable } from './keys';
import { CallCache } from './call-cache';
import { EventLog } from './events';
import { JobTable } from './jobs';
import { ModelCostLedger } from './model-costs';
import { ResultTable } from './results';
import { migrate } from './schema';
import { immediateTransaction } from './transaction';
import type {
  ApiKeyInfo,
  ApiKeyRecord,
  CacheScope,
  CachedCall,
  CacheStats,
  CallBill,
  FinishedInterview,
  NewEvent,
  NewJob,
  ResultPageQuery,
  Store,
  StoredCall,
  StoredJob,
} from './store';

export interface SqliteStoreOptions {
  /** Where a failure of a write the store scheduled itself (the buffered call cache) is reported. */
  onBackgroundError?: (error: unknown) => void;
}

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(path, options);
}

export class SqliteStore implements Store {
  private readonly db: DatabaseSync;
  private readonly onBackgroundError: (error: unknown) => void;
  private readonly jobs: JobTable;
  private readonly resultTable: ResultTable;
  private readonly events: EventLog;
  /** putCachedCall buffers calls here; flush() moves them to disk in one transaction. */
  private readonly calls: CallCache;
  /** What buffered calls cost each job; written in the same transaction as the calls. */
  private readonly pendingBills = new Map<string, { usd: number; input_tokens: number; output_tokens: number }>();
  /** What buffered calls and cache hits add to each (job, model); written with the calls. */
  private readonly modelCosts: ModelCostLedger;
  private flushScheduled: NodeJS.Immediate | null = null;
  private readonly keys: ApiKeyTable;
  private closed = false;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.onBackgroundError =
      options.onBackgroundError ?? ((error) => console.error('fieldwork store: background write failed', error));
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA busy_timeout = 5000');
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec('PRAGMA foreign_keys = ON');
    migrate(this.db);
    this.jobs = new JobTable(this.db);
    this.resultTable = new ResultTable(this.db);
    this.events = new EventLog(this.db);
    this.modelCosts = new ModelCostLedger(this.db);
    this.calls = new CallCache(this.db);
    this.keys = new ApiKeyTable(this.db);
  }

  // ---- keys

  createApiKey(user: string): { key: string; record: ApiKeyRecord } {
    return this.keys.create(user);
  }

  userForKey(key: string): string | null {
    return this.keys.userFor(key);
  }

  countApiKeys(): number {
    return this.keys.countActive();
  }

  listApiKeys(): ApiKeyInfo[] {
    return this.keys.list();
  }

  revokeApiKeys(idOrUser: string): ApiKeyInfo[] {
    return this.keys.revoke(idOrUser);
  }

  // ---- jobs

  insertJob(job: NewJob): StoredJob {
    return this.jobs.insert(job);
  }

  getJob(id: string): StoredJob | null {
    return this.jobs.get(id);
  }

  findJobByIdempotencyKey(owner: string, key: string): StoredJob | null {
    return this.jobs.findByIdempotencyKey(owner, key);
  }

  listJobs(owner: string, query: JobListQuery): { jobs: Job[]; next_cursor: string | null } {
    return this.jobs.list(owner, query);
  }

  unfinishedJobs(): StoredJob[] {
    return this.jobs.unfinished();
  }

  /**
   * `started: true` stamps the start time now (a resumed run passes false and keeps the first one).
   * `finished`: true stamps the time now, false clears it (a retried job is unfinished again), absent leaves it.
   * `error`: a string sets it, null clears it, absent leaves it.
   */
  setJobStatus(
    id: string,
    status: JobStatus,
    fields: { error?: string | null; started?: boolean; finished?: boolean } = {},
  ): void {
    this.jobs.setStatus(id, status, fields);
  }

  // ---- interviews and results

  finishInterviews(jobId: string, interviews: FinishedInterview[]): void {
    if (interviews.length === 0) return;
    // Calls first: a stored result never lacks its cached call, and a job's cost is never behind its progress.
    this.flush();
    this.transaction(() => this.resultTable.finish(jobId, interviews));
  }

  finishedInterviews(jobId: string): Set<number> {
    return this.resultTable.finished(jobId);
  }

  /**
   * Forgets failed interviews and their results so a retry runs them again. The progress counters they added are
   * taken back; the job's cost is kept, because those calls were made and paid for.
   */
  clearFailedInterviews(jobId: string): number {
    return this.transaction(() => this.resultTable.clearFailed(jobId));
  }

  results(jobId: string, page: ResultPageQuery): { results: Result[]; next_cursor: string | null } {
    return this.resultTable.page(jobId, page);
  }

  /**
   * Every result of a job in (interview, question) order, read in pages by key: memory stays bounded, and no
   * read stays open between pages, so a slow download neither pins the WAL nor blocks other readers of the
   * shared statement.
   */
  allResults(jobId: string): Generator<Result, void, undefined> {
    return this.resultTable.all(jobId);
  }

  // ---- events

  appendEvent(event: NewEvent): JobEvent {
    return this.events.append(event);
  }

  eventsAfter(jobId: string, afterId: number, limit: number): JobEvent[] {
    return this.events.readAfter(jobId, afterId, limit);
  }

  // ---- call cache

  getCachedCall(scope: CacheScope, key: string): StoredCall | null {
    return this.calls.get(scope, key);
  }

  putCachedCall(scope: CacheScope, call: CachedCall, bill?: CallBill): void {
    if (bill !== undefined) {
      const owed = this.pendingBills.get(bill.job) ?? { usd: 0, input_tokens: 0, output_tokens: 0 };
      owed.usd += call.cost_usd ?? 0;
      owed.input_tokens += call.input_tokens;
      owed.output_tokens += call.output_tokens;
      this.pendingBills.set(bill.job, owed);
      if (bill.model !== undefined) this.modelCosts.billed(bill.job, bill.model, call);
    }
    this.calls.put(scope, call, bill ? { job: bill.job, interview: bill.interview ?? null } : null);
    this.scheduleFlush();
  }

  countCacheHit(jobId: string, model: string): void {
    this.modelCosts.cached(jobId, model);
    this.scheduleFlush();
  }

  costByModel(jobId: string): ModelCost[] {
    this.flush();
    return this.modelCosts.read(jobId);
  }

  /** Buffered writes go to disk after this turn of the event loop, in one transaction. */
  private scheduleFlush(): void {
    this.flushScheduled ??= setImmediate(() => {
      this.flushScheduled = null;
      try {
        this.flush();
      } catch (error) {
        this.onBackgroundError(error);
      }
    });
  }

  hasCachedCall(scope: CacheScope, key: string): boolean {
    return this.calls.has(scope, key);
  }

  cacheStats(): CacheStats {
    this.flush();
    return this.calls.stats();
  }

  clearCache(): number {
    this.flush();
    return this.calls.clear();
  }

  // ---- lifecycle

  flush(): void {
    if (this.flushScheduled) {
      clearImmediate(this.flushScheduled);
      this.flushScheduled = null;
    }
    if (this.calls.isEmpty && this.modelCosts.isEmpty) return;
    const calls = this.calls.take();
    const bills = [...this.pendingBills];
    // Dropped even if the write fails: a failing disk must not grow memory without bound.
    this.pendingBills.clear();
    this.transaction(() => {
      for (const [jobId, bill] of bills) this.jobs.bill(jobId, bill);
      this.modelCosts.write();
      this.calls.write(calls);
    });
  }

  close(): void {
    if (this.closed) return;
    try {
      this.flush();
      this.db.exec('PRAGMA optimize');
    } finally {
      this.closed = true;
      this.db.close();
    }
  }

  /** Runs fn in one write transaction, taken up front (IMMEDIATE) so it never fails half-way for a lock. */
  private transaction<T>(fn: () => T): T {
    return immediateTransaction(this.db, fn);
  }
}
