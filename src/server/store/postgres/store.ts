// The team store: PostgreSQL through the `pg` driver, behind the same Store interface as the embedded SQLite store.
// Calls, bills and model costs are buffered and written in one transaction per flush, as in SQLite; a job's final
// status is written with its final event; events are appended one at a time per job across replicas (events.ts), so
// their ids are committed in order and a reader following by id never skips one. With a lease fence (replicas), a
// job's interviews are written only by the replica whose lease names it.
import type { Pool, PoolClient } from 'pg';
import type { Job, JobEvent, JobListQuery, JobStatus, ModelCost, Result } from '../../../api';
import { decodeCursor, encodeCursor } from '../cursor';
import {
  cachedCallFromRow,
  eventFromRow,
  JOB_COLUMNS,
  jobFromRow,
  storedJobFromRow,
  type CachedCallRow,
  type EventRow,
  type JobRow,
  type StoredJobRow,
} from '../rows';
import { SubmissionCache } from '../submission-cache';
import type {
  ApiKeyInfo,
  ApiKeyRecord,
  CachedCall,
  CacheScope,
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
} from '../store';

import { PgApiKeys } from './keys';
import { PendingWrites } from './pending-writes';
import { writeTaken } from './billing';
import { appendEventLocked } from './events';
import { checkLease, type LeaseFence } from './lease-fence';
import { openPool, transaction, type PoolOptions } from './pool';
import { clearFailedInterviews, finishInterviews, pageResults, streamResults } from './results';
import { migratePostgres } from './schema';
import { isStoreUnavailable } from '../unavailable';

const now = (): string => new Date().toISOString();

export interface PostgresStoreOptions extends PoolOptions {
  /** Where a failure of a write the store scheduled itself (the buffered calls) is reported. */
  onBackgroundError?: (error: unknown) => void;
  /** Bring the schema up to date first (default true); `fieldwork migrate` does it on its own. */
  migrate?: boolean;
  /** Replicas: whose lease a run's writes must hold (lease-fence.ts). */
  fence?: LeaseFence;
}

export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const pool = openPool(url, options);
  try {
    if (options.migrate ?? true) await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresStore(pool, options);
}

export class PostgresStore implements Store {
  private readonly keys: PgApiKeys;
  private readonly pending = new PendingWrites();
  private readonly submissions = new SubmissionCache();
  private readonly onBackgroundError: (error: unknown) => void;
  private flushScheduled: NodeJS.Immediate | null = null;
  /** Flushes run one after another: the next starts when the last has committed. */
  private flushing: Promise<void> = Promise.resolve();
  /** Appends of events, one after another (see the file's comment). */
  private appending: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly fence: LeaseFence | null;

  constructor(
    readonly pool: Pool,
    options: PostgresStoreOptions = {},
  ) {
    this.keys = new PgApiKeys(pool);
    this.fence = options.fence ?? null;
    this.onBackgroundError = options.onBackgroundError ?? ((error) => console.error('fieldwork store: background write failed', error));
  }

  // ---- keys

  createApiKey(user: string): Promise<{ key: string; record: ApiKeyRecord }> {
    return this.keys.create(user);
  }

  userForKey(key: string): Promise<string | null> {
    return this.keys.userFor(key);
  }

  countApiKeys(): Promise<number> {
    return this.keys.countActive();
  }

  listApiKeys(): Promise<ApiKeyInfo[]> {
    return this.keys.list();
  }

  revokeApiKeys(idOrUser: string): Promise<ApiKeyInfo[]> {
    return this.keys.revoke(idOrUser);
  }

  // ---- jobs

  async insertJob(job: NewJob): Promise<StoredJob> {
    await this.pool.query(
      `INSERT INTO jobs (id, kind, name, source_name, owner, status, models, created_at, interviews_total, submission, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $9, $10)`,
      [
        job.id,
        job.kind,
        job.name,
        job.source_name,
        job.owner,
        JSON.stringify(job.models),
        now(),
        job.interviews_total,
        JSON.stringify(job.submission),
        job.idempotency_key,
      ],
    );
    return (await this.getJob(job.id))!;
  }

  async getJob(id: string): Promise<StoredJob | null> {
    const { rows } = await this.pool.query<StoredJobRow>(`SELECT ${JOB_COLUMNS}, idempotency_key FROM jobs WHERE id = $1`, [id]);
    return rows[0] ? this.withSubmission(rows[0]) : null;
  }

  async findJobByIdempotencyKey(owner: string, key: string): Promise<StoredJob | null> {
    const { rows } = await this.pool.query<StoredJobRow>(`SELECT ${JOB_COLUMNS}, idempotency_key FROM jobs WHERE owner = $1 AND idempotency_key = $2`, [
      owner,
      key,
    ]);
    return rows[0] ? this.withSubmission(rows[0]) : null;
  }

  async listJobs(owner: string, query: JobListQuery): Promise<{ jobs: Job[]; next_cursor: string | null }> {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? 50), 1), 200);
    const [afterCreatedAt, afterId] = query.cursor ? decodeCursor(query.cursor, ['string', 'string']) : [null, null];
    const statuses = query.status && query.status.length > 0 ? query.status : null;
    const { rows } = await this.pool.query<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM jobs
       WHERE owner = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[]))
         AND ($3::text IS NULL OR (created_at, id) < ($3::text, $4::text))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [owner, statuses, afterCreatedAt, afterId, limit + 1],
    );
    const more = rows.length > limit;
    const jobs = (more ? rows.slice(0, limit) : rows).map(jobFromRow);
    const last = jobs[jobs.length - 1];
    return { jobs, next_cursor: more && last ? encodeCursor([last.created_at, last.id]) : null };
  }

  async unfinishedJobs(): Promise<StoredJob[]> {
    const { rows } = await this.pool.query<StoredJobRow>(
      `SELECT ${JOB_COLUMNS}, idempotency_key FROM jobs WHERE status IN ('queued', 'running', 'cancelling') ORDER BY created_at, id`,
    );
    return Promise.all(rows.map((row) => this.withSubmission(row)));
  }

  async setJobStatus(id: string, status: JobStatus, fields: JobStatusFields = {}, event?: NewEvent): Promise<JobEvent | null> {
    const write = async (client: PoolClient | Pool): Promise<void> => {
      const stamp = now();
      if (this.fence?.holds(id)) await checkLease(client as PoolClient, this.fence, id);
      const { rowCount } = await client.query(
        `UPDATE jobs SET status = $2,
           error = CASE WHEN $3::boolean THEN $4 ELSE error END,
           started_at = CASE WHEN $5::boolean THEN $6 ELSE started_at END,
           finished_at = CASE $7::int WHEN 1 THEN $6 WHEN 0 THEN NULL ELSE finished_at END
         WHERE id = $1`,
        [
          id,
          status,
          fields.error !== undefined,
          fields.error ?? null,
          fields.started === true,
          stamp,
          fields.finished === undefined ? null : fields.finished ? 1 : 0,
        ],
      );
      if (rowCount === 0) throw new Error(`No job ${id} to set the status of.`);
    };
    if (event === undefined) {
      await transaction(this.pool, write);
      return null;
    }
    return this.inOrder(() =>
      transaction(this.pool, async (client) => {
        await write(client);
        return appendEventLocked(client, event);
      }),
    );
  }

  // ---- interviews and results

  async finishInterviews(jobId: string, interviews: FinishedInterview[]): Promise<void> {
    if (interviews.length === 0) return;
    // Calls first: a stored result never lacks its cached call, and a job's cost is never behind its progress.
    await this.flush();
    const fence = this.fence;
    await transaction(this.pool, async (client) => {
      if (fence) await checkLease(client, fence, jobId);
      await finishInterviews(client, jobId, interviews);
    });
  }

  async finishedInterviews(jobId: string): Promise<Set<number>> {
    const { rows } = await this.pool.query<{ idx: number }>('SELECT idx FROM interviews WHERE job_id = $1 AND failed = 0', [jobId]);
    return new Set(rows.map((row) => row.idx));
  }

  clearFailedInterviews(jobId: string): Promise<number> {
    return transaction(this.pool, (client) => clearFailedInterviews(client, jobId));
  }

  results(jobId: string, page: ResultPageQuery): Promise<{ results: Result[]; next_cursor: string | null }> {
    return pageResults(this.pool, jobId, page);
  }

  allResults(jobId: string): AsyncGenerator<Result, void, undefined> {
    return streamResults(this.pool, jobId);
  }

  // ---- events

  appendEvent(event: NewEvent): Promise<JobEvent> {
    return this.inOrder(() => transaction(this.pool, (client) => appendEventLocked(client, event)));
  }

  async eventsAfter(jobId: string, afterId: number, limit: number): Promise<JobEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      'SELECT id, job_id, type, at, message, data FROM events WHERE job_id = $1 AND id > $2 ORDER BY id LIMIT $3',
      [jobId, afterId, limit],
    );
    return rows.map(eventFromRow);
  }

  // ---- call cache

  async getCachedCall(scope: CacheScope, key: string): Promise<StoredCall | null> {
    const pending = this.pending.call(scope, key);
    if (pending) return pending;
    const { rows } = await this.pool.query<CachedCallRow>(
      `SELECT key, raw, input_tokens, output_tokens, cost_usd, model_version, paid_job, paid_interview FROM call_cache WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    return rows[0] ? cachedCallFromRow(rows[0]) : null;
  }

  putCachedCall(scope: CacheScope, call: CachedCall, bill?: CallBill): void {
    this.pending.put(scope, call, bill);
    this.scheduleFlush();
  }

  countCacheHit(jobId: string, model: string): void {
    this.pending.cacheHit(jobId, model);
    this.scheduleFlush();
  }

  async costByModel(jobId: string): Promise<ModelCost[]> {
    await this.flush();
    const { rows } = await this.pool.query<ModelCost & { unpriced_calls: number }>(
      `SELECT model, calls, cached_calls, input_tokens, output_tokens, usd, unpriced_calls FROM job_model_costs WHERE job_id = $1 ORDER BY model`,
      [jobId],
    );
    return rows.map(({ unpriced_calls, ...row }) => ({ ...row, usd: unpriced_calls > 0 ? null : row.usd }));
  }

  async cachedKeys(scope: CacheScope, keys: readonly string[]): Promise<Set<string>> {
    const cached = new Set(keys.filter((key) => this.pending.call(scope, key) !== null));
    if (keys.length === 0) return cached;
    const { rows } = await this.pool.query<{ key: string }>('SELECT key FROM call_cache WHERE scope = $1 AND key = ANY($2::text[])', [
      scope,
      [...new Set(keys)],
    ]);
    for (const row of rows) cached.add(row.key);
    return cached;
  }

  async cacheStats(): Promise<CacheStats> {
    await this.flush();
    const { rows } = await this.pool.query<CacheStats>('SELECT count(*)::int AS entries, coalesce(sum(bytes), 0)::bigint AS bytes FROM call_cache');
    return rows[0]!;
  }

  async clearCache(): Promise<number> {
    await this.flush();
    return (await this.pool.query('DELETE FROM call_cache')).rowCount ?? 0;
  }

  // ---- lifecycle

  /** Writes what is buffered, after any flush already under way. */
  flush(): Promise<void> {
    if (this.flushScheduled) {
      clearImmediate(this.flushScheduled);
      this.flushScheduled = null;
    }
    const next = this.flushing.then(() => this.writePending());
    // A failed flush is reported to its caller; the next one does not inherit the failure.
    this.flushing = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flush();
    } finally {
      await this.pool.end();
    }
  }

  private retryTimer: NodeJS.Timeout | null = null;

  private retryFlushLater(): void {
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = null;
      this.flush().catch(() => {}); // reported by the flush that failed first; this one tries again later
    }, 1000);
    this.retryTimer.unref();
  }

  private scheduleFlush(): void {
    this.flushScheduled ??= setImmediate(() => {
      this.flushScheduled = null;
      this.flush().catch((error: unknown) => this.onBackgroundError(error));
    });
  }

  private async writePending(): Promise<void> {
    if (this.pending.isEmpty) return;
    const taken = this.pending.take();
    try {
      await transaction(this.pool, (client) => writeTaken(client, taken, now()));
    } catch (error) {
      // An unreachable database gets them at the next flush (a restart is waited out, and its calls were paid for);
      // any other failure drops them, as in SQLite: a failing write must not grow memory without bound.
      if (isStoreUnavailable(error)) {
        this.pending.restore(taken);
        if (!this.closed) this.retryFlushLater();
      }
      throw error;
    } finally {
      this.pending.written();
    }
  }

  private inOrder<T>(write: () => Promise<T>): Promise<T> {
    const next = this.appending.then(write);
    this.appending = next.catch(() => {});
    return next;
  }

  /** The job with its submission, read and parsed once per job (see SubmissionCache). */
  private async withSubmission(row: StoredJobRow): Promise<StoredJob> {
    let text = '';
    if (!this.submissions.has(row.id)) {
      const { rows } = await this.pool.query<{ submission: string }>('SELECT submission FROM jobs WHERE id = $1', [row.id]);
      text = rows[0]!.submission;
    }
    return storedJobFromRow(
      row,
      this.submissions.get(row.id, () => text),
    );
  }
}
