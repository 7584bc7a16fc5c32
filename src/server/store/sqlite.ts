// The embedded store: one SQLite file through Node's built-in `node:sqlite`, WAL mode, statements prepared once.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Job, JobEvent, JobListQuery, JobStatus, ModelCost, Result } from '../../protocol';
import { decodeCursor, encodeCursor } from './cursor';
import {
  JOB_COLUMNS,
  cachedCallFromRow,
  eventFromRow,
  jobFromRow,
  resultFromRow,
  storedJobFromRow,
  type EventRow,
  type JobRow,
  type ResultRow,
  type StoredJobRow,
} from './rows';
import { ApiKeyTable } from './keys';
import { CallCache } from './call-cache';
import { ModelCostLedger } from './model-costs';
import { migrate } from './schema';
import { SubmissionCache } from './submission-cache';
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
  Store,
  StoredCall,
  StoredJob,
} from './store';

export interface SqliteStoreOptions {
  /** Where a failure of a write the store scheduled itself (the buffered call cache) is reported. */
  onBackgroundError?: (error: unknown) => void;
}

const RESULT_COLUMNS_SQL = `job_id, interview, question_index, question, agent_index, agent_name, scenario_index, model,
  iteration, status, answer, comment, raw, input_tokens, output_tokens, cost_usd, cached, latency_ms, error,
  sample_id, epoch, input, target, scores`;

/** Rows read per query when streaming all results of a job. */
const RESULT_STREAM_PAGE = 1000;

const now = (): string => new Date().toISOString();

/** Maps a tri-state option to SQL: true → 1, false → 0, undefined → NULL (leave the column as it is). */
const triState = (value: boolean | undefined): number | null => (value === undefined ? null : value ? 1 : 0);

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(path, options);
}

export class SqliteStore implements Store {
  private readonly db: DatabaseSync;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly onBackgroundError: (error: unknown) => void;
  /** putCachedCall buffers calls here; flush() moves them to disk in one transaction. */
  private readonly calls: CallCache;
  /** What buffered calls cost each job; written in the same transaction as the calls. */
  private readonly pendingBills = new Map<string, { usd: number; input_tokens: number; output_tokens: number }>();
  /** What buffered calls and cache hits add to each (job, model); written with the calls. */
  private readonly modelCosts: ModelCostLedger;
  private flushScheduled: NodeJS.Immediate | null = null;
  private readonly submissions = new SubmissionCache();
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
    this.statements = prepareStatements(this.db);
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
    this.statements.insertJob.run(
      job.id,
      job.kind,
      job.name,
      job.source_name,
      job.owner,
      'queued',
      JSON.stringify(job.models),
      now(),
      job.interviews_total,
      JSON.stringify(job.submission),
      job.idempotency_key,
    );
    return this.getJob(job.id)!;
  }

  getJob(id: string): StoredJob | null {
    const row = this.statements.getJob.get(id) as StoredJobRow | undefined;
    return row ? this.withSubmission(row) : null;
  }

  findJobByIdempotencyKey(owner: string, key: string): StoredJob | null {
    const row = this.statements.jobByIdempotencyKey.get(owner, key) as StoredJobRow | undefined;
    return row ? this.withSubmission(row) : null;
  }

  listJobs(owner: string, query: JobListQuery): { jobs: Job[]; next_cursor: string | null } {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? 50), 1), 200);
    const [afterCreatedAt, afterId] = query.cursor ? decodeCursor(query.cursor, ['string', 'string']) : [null, null];
    const statuses = query.status && query.status.length > 0 ? JSON.stringify(query.status) : null;
    const rows = this.statements.listJobs.all({
      owner,
      statuses,
      after_created_at: afterCreatedAt,
      after_id: afterId,
      limit: limit + 1,
    }) as unknown as JobRow[];
    const more = rows.length > limit;
    const jobs = (more ? rows.slice(0, limit) : rows).map(jobFromRow);
    const last = jobs[jobs.length - 1];
    return { jobs, next_cursor: more && last ? encodeCursor([last.created_at, last.id]) : null };
  }

  unfinishedJobs(): StoredJob[] {
    return (this.statements.unfinishedJobs.all() as unknown as StoredJobRow[]).map((row) => this.withSubmission(row));
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
    const { changes } = this.statements.setJobStatus.run({
      id,
      status,
      now: now(),
      set_error: fields.error === undefined ? 0 : 1,
      error: fields.error ?? null,
      started: fields.started ? 1 : 0,
      finished: triState(fields.finished),
    });
    if (changes === 0) throw new Error(`No job ${id} to set the status of.`);
  }

  // ---- interviews and results

  finishInterviews(jobId: string, interviews: FinishedInterview[]): void {
    if (interviews.length === 0) return;
    // Calls first: a stored result never lacks its cached call, and a job's cost is never behind its progress.
    this.flush();
    const { insertInterview, insertResult, addToJob } = this.statements;
    this.transaction(() => {
      // The job's cost is not added here: calls are billed to it when they are stored (putCachedCall).
      const total = { done: 0, failed: 0, callsDone: 0, callsCached: 0, callsFailed: 0 };
      for (const interview of interviews) {
        const inserted = insertInterview.run(
          jobId,
          interview.interview,
          interview.failed ? 1 : 0,
          interview.calls_done,
          interview.calls_cached,
          interview.calls_failed,
          interview.usd,
          interview.input_tokens,
          interview.output_tokens,
        );
        // Already recorded (a resumed runner finishing it twice): keep the first, count nothing again.
        if (inserted.changes === 0) continue;
        const results = interview.results;
        for (let questionIndex = 0; questionIndex < results.length; questionIndex++) {
          const result = results[questionIndex]!;
          insertResult.run(
            jobId,
            interview.interview,
            questionIndex,
            result.question,
            result.agent_index,
            result.agent_name,
            result.scenario_index,
            result.model,
            result.iteration,
            result.status,
            result.answer === undefined || result.answer === null ? null : JSON.stringify(result.answer),
            result.comment,
            result.raw,
            result.input_tokens,
            result.output_tokens,
            result.cost_usd,
            result.cached ? 1 : 0,
            result.latency_ms,
            result.error,
            result.sample_id ?? null,
            result.epoch ?? null,
            result.input ?? null,
            result.target === undefined ? null : JSON.stringify(result.target),
            result.scores === undefined || result.scores === null ? null : JSON.stringify(result.scores),
          );
        }
        if (interview.failed) total.failed++;
        else total.done++;
        total.callsDone += interview.calls_done;
        total.callsCached += interview.calls_cached;
        total.callsFailed += interview.calls_failed;
      }
      addToJob.run(
        total.done,
        total.failed,
        total.callsDone,
        total.callsCached,
        total.callsFailed,
        jobId,
      );
    });
  }

  finishedInterviews(jobId: string): Set<number> {
    const finished = new Set<number>();
    for (const row of this.statements.finishedInterviews.iterate(jobId)) finished.add((row as { idx: number }).idx);
    return finished;
  }

  /**
   * Forgets failed interviews and their results so a retry runs them again. The progress counters they added are
   * taken back; the job's cost is kept, because those calls were made and paid for.
   */
  clearFailedInterviews(jobId: string): number {
    const s = this.statements;
    return this.transaction(() => {
      const sums = s.failedInterviewSums.get(jobId) as {
        n: number;
        calls_done: number;
        calls_cached: number;
        calls_failed: number;
      };
      if (sums.n === 0) return 0;
      s.deleteFailedResults.run(jobId);
      s.deleteFailedInterviews.run(jobId);
      s.takeFromJob.run(sums.n, sums.calls_done, sums.calls_cached, sums.calls_failed, jobId);
      return sums.n;
    });
  }

  results(jobId: string, page: { cursor?: string | undefined; limit: number }): { results: Result[]; next_cursor: string | null } {
    const limit = Math.max(Math.trunc(page.limit), 1);
    const [interview, questionIndex] = page.cursor ? decodeCursor(page.cursor, ['number', 'number']) : [-1, -1];
    const rows = this.statements.resultsAfter.all(jobId, interview, questionIndex, limit + 1) as unknown as ResultRow[];
    const more = rows.length > limit;
    const pageRows = more ? rows.slice(0, limit) : rows;
    const last = pageRows[pageRows.length - 1];
    return {
      results: pageRows.map(resultFromRow),
      next_cursor: more && last ? encodeCursor([last.interview, last.question_index]) : null,
    };
  }

  /**
   * Every result of a job in (interview, question) order, read in pages by key: memory stays bounded, and no
   * read stays open between pages, so a slow download neither pins the WAL nor blocks other readers of the
   * shared statement.
   */
  *allResults(jobId: string): Generator<Result, void, undefined> {
    let interview = -1;
    let questionIndex = -1;
    for (;;) {
      const rows = this.statements.resultsAfter.all(jobId, interview, questionIndex, RESULT_STREAM_PAGE) as unknown as ResultRow[];
      for (const row of rows) yield resultFromRow(row);
      const last = rows[rows.length - 1];
      if (!last || rows.length < RESULT_STREAM_PAGE) return;
      interview = last.interview;
      questionIndex = last.question_index;
    }
  }

  // ---- events

  appendEvent(event: NewEvent): JobEvent {
    const at = now();
    const data = event.data ?? null;
    const { lastInsertRowid } = this.statements.insertEvent.run(
      event.job_id,
      event.type,
      at,
      event.message,
      data === null ? null : JSON.stringify(data),
    );
    return { id: Number(lastInsertRowid), job_id: event.job_id, type: event.type, at, message: event.message, data };
  }

  eventsAfter(jobId: string, afterId: number, limit: number): JobEvent[] {
    return (this.statements.eventsAfter.all(jobId, afterId, limit) as unknown as EventRow[]).map(eventFromRow);
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
    const { billJob } = this.statements;
    this.transaction(() => {
      for (const [jobId, bill] of bills) billJob.run(bill.usd, bill.input_tokens, bill.output_tokens, jobId);
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

  /** The job with its submission, parsed once per job (see SubmissionCache). */
  private withSubmission(row: StoredJobRow): StoredJob {
    const submission = this.submissions.get(
      row.id,
      () => (this.statements.getSubmission.get(row.id) as { submission: string }).submission,
    );
    return storedJobFromRow(row, submission);
  }

  /** Runs fn in one write transaction, taken up front (IMMEDIATE) so it never fails half-way for a lock. */
  private transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const value = fn();
      this.db.exec('COMMIT');
      return value;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }
}

function prepareStatements(db: DatabaseSync) {
  const prepare = (sql: string): StatementSync => db.prepare(sql);
  return {
    insertJob: prepare(`INSERT INTO jobs (id, kind, name, source_name, owner, status, models, created_at,
      interviews_total, submission, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    getJob: prepare(`SELECT ${JOB_COLUMNS}, idempotency_key FROM jobs WHERE id = ?`),
    getSubmission: prepare('SELECT submission FROM jobs WHERE id = ?'),
    jobByIdempotencyKey: prepare(`SELECT ${JOB_COLUMNS}, idempotency_key FROM jobs WHERE owner = ? AND idempotency_key = ?`),
    listJobs: prepare(`SELECT ${JOB_COLUMNS} FROM jobs
      WHERE owner = $owner
        AND ($statuses IS NULL OR status IN (SELECT value FROM json_each($statuses)))
        AND ($after_created_at IS NULL OR (created_at, id) < ($after_created_at, $after_id))
      ORDER BY created_at DESC, id DESC
      LIMIT $limit`),
    unfinishedJobs: prepare(`SELECT ${JOB_COLUMNS}, idempotency_key FROM jobs
      WHERE status IN ('queued', 'running', 'cancelling') ORDER BY created_at, id`),
    setJobStatus: prepare(`UPDATE jobs SET
        status = $status,
        error = CASE WHEN $set_error THEN $error ELSE error END,
        started_at = CASE WHEN $started THEN $now ELSE started_at END,
        finished_at = CASE $finished WHEN 1 THEN $now WHEN 0 THEN NULL ELSE finished_at END
      WHERE id = $id`),

    insertInterview: prepare(`INSERT INTO interviews (job_id, idx, failed, calls_done, calls_cached, calls_failed, usd,
      input_tokens, output_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    insertResult: prepare(
      `INSERT INTO results (${RESULT_COLUMNS_SQL}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    addToJob: prepare(`UPDATE jobs SET
        interviews_done = interviews_done + ?, interviews_failed = interviews_failed + ?,
        calls_done = calls_done + ?, calls_cached = calls_cached + ?, calls_failed = calls_failed + ?
      WHERE id = ?`),
    billJob: prepare('UPDATE jobs SET usd = usd + ?, input_tokens = input_tokens + ?, output_tokens = output_tokens + ? WHERE id = ?'),
    finishedInterviews: prepare('SELECT idx FROM interviews WHERE job_id = ? AND failed = 0'),
    failedInterviewSums: prepare(`SELECT count(*) AS n, coalesce(sum(calls_done), 0) AS calls_done,
        coalesce(sum(calls_cached), 0) AS calls_cached, coalesce(sum(calls_failed), 0) AS calls_failed
      FROM interviews WHERE job_id = ? AND failed = 1`),
    deleteFailedResults: prepare(`DELETE FROM results WHERE job_id = ?1
      AND interview IN (SELECT idx FROM interviews WHERE job_id = ?1 AND failed = 1)`),
    deleteFailedInterviews: prepare('DELETE FROM interviews WHERE job_id = ? AND failed = 1'),
    takeFromJob: prepare(`UPDATE jobs SET interviews_failed = interviews_failed - ?,
        calls_done = calls_done - ?, calls_cached = calls_cached - ?, calls_failed = calls_failed - ?
      WHERE id = ?`),
    resultsAfter: prepare(`SELECT ${RESULT_COLUMNS_SQL} FROM results
      WHERE job_id = ? AND (interview, question_index) > (?, ?)
      ORDER BY interview, question_index LIMIT ?`),

    insertEvent: prepare('INSERT INTO events (job_id, type, at, message, data) VALUES (?, ?, ?, ?, ?)'),
    eventsAfter: prepare(
      'SELECT id, job_id, type, at, message, data FROM events WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?',
    ),
  } satisfies Record<string, StatementSync>;
}
