// The embedded store: one SQLite file through Node's built-in `node:sqlite`, WAL mode, statements prepared once.
// Each table lives in its own file (jobs, results, events, keys, call cache, model costs); this class ties them
// together and owns what spans them: the buffered writes and the transactions they go to disk in.
import { DatabaseSync } from 'node:sqlite';
import type { Job, JobEvent, JobListQuery, JobStatus, ModelCost, Result } from '../../api';
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
  JobStatusFields,
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
    this.onBackgroundError = options.onBackgroundError ?? ((error) => console.error('fieldwork store: background write failed', error));
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

  async createApiKey(user: string): Promise<{ key: string; record: ApiKeyRecord }> {
    return this.keys.create(user);
  }

  async userForKey(key: string): Promise<string | null> {
    return this.keys.userFor(key);
  }

  async countApiKeys(): Promise<number> {
    return this.keys.countActive();
  }

  async listApiKeys(): Promise<ApiKeyInfo[]> {
    return this.keys.list();
  }

  async revokeApiKeys(idOrUser: string): Promise<ApiKeyInfo[]> {
    return this.keys.revoke(idOrUser);
  }

  // ---- jobs

  async insertJob(job: NewJob): Promise<StoredJob> {
    return this.jobs.insert(job);
  }

  async getJob(id: string): Promise<StoredJob | null> {
    return this.jobs.get(id);
  }

  async findJobByIdempotencyKey(owner: string, key: string): Promise<StoredJob | null> {
    return this.jobs.findByIdempotencyKey(owner, key);
  }

  async listJobs(owner: string, query: JobListQuery): Promise<{ jobs: Job[]; next_cursor: string | null }> {
    return this.jobs.list(owner, query);
  }

  async unfinishedJobs(): Promise<StoredJob[]> {
    return this.jobs.unfinished();
  }

  async setJobStatus(id: string, status: JobStatus, fields: JobStatusFields = {}, event?: NewEvent): Promise<JobEvent | null> {
    if (event === undefined) {
      this.jobs.setStatus(id, status, fields);
      return null;
    }
    return this.transaction(() => {
      this.jobs.setStatus(id, status, fields);
      return this.events.append(event);
    });
  }

  // ---- interviews and results

  async finishInterviews(jobId: string, interviews: FinishedInterview[]): Promise<void> {
    if (interviews.length === 0) return;
    // Calls first: a stored result never lacks its cached call, and a job's cost is never behind its progress.
    this.flushNow();
    this.transaction(() => this.resultTable.finish(jobId, interviews));
  }

  async finishedInterviews(jobId: string): Promise<Set<number>> {
    return this.resultTable.finished(jobId);
  }

  /**
   * Forgets failed interviews and their results so a retry runs them again. The progress counters they added are
   * taken back; the job's cost is kept, because those calls were made and paid for.
   */
  async clearFailedInterviews(jobId: string): Promise<number> {
    return this.transaction(() => this.resultTable.clearFailed(jobId));
  }

  async results(jobId: string, page: ResultPageQuery): Promise<{ results: Result[]; next_cursor: string | null }> {
    return this.resultTable.page(jobId, page);
  }

  /**
   * Every result of a job in (interview, question) order, read in pages by key: memory stays bounded, and no
   * read stays open between pages, so a slow download neither pins the WAL nor blocks other readers of the
   * shared statement.
   */
  async *allResults(jobId: string): AsyncGenerator<Result, void, undefined> {
    yield* this.resultTable.all(jobId);
  }

  // ---- events

  async appendEvent(event: NewEvent): Promise<JobEvent> {
    return this.events.append(event);
  }

  async eventsAfter(jobId: string, afterId: number, limit: number): Promise<JobEvent[]> {
    return this.events.readAfter(jobId, afterId, limit);
  }

  // ---- call cache

  async getCachedCall(scope: CacheScope, key: string): Promise<StoredCall | null> {
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

  async costByModel(jobId: string): Promise<ModelCost[]> {
    this.flushNow();
    return this.modelCosts.read(jobId);
  }

  /** Buffered writes go to disk after this turn of the event loop, in one transaction. */
  private scheduleFlush(): void {
    this.flushScheduled ??= setImmediate(() => {
      this.flushScheduled = null;
      try {
        this.flushNow();
      } catch (error) {
        this.onBackgroundError(error);
      }
    });
  }

  async cachedKeys(scope: CacheScope, keys: readonly string[]): Promise<Set<string>> {
    const cached = new Set<string>();
    for (const key of keys) if (this.calls.has(scope, key)) cached.add(key);
    return cached;
  }

  async cacheStats(): Promise<CacheStats> {
    this.flushNow();
    return this.calls.stats();
  }

  async clearCache(): Promise<number> {
    this.flushNow();
    return this.calls.clear();
  }

  // ---- lifecycle

  async flush(): Promise<void> {
    this.flushNow();
  }

  private flushNow(): void {
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

  async close(): Promise<void> {
    this.closeNow();
  }

  /** Closes at once: for the synchronous exit paths of the CLI. */
  closeNow(): void {
    if (this.closed) return;
    try {
      this.flushNow();
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
