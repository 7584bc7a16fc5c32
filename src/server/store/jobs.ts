// The jobs table: a job's row, its status and its counters, with its submission parsed once per job.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Job, JobListQuery, JobStatus } from '../../api';
import { decodeCursor, encodeCursor } from './cursor';
import { JOB_COLUMNS, jobFromRow, storedJobFromRow, type JobRow, type StoredJobRow } from './rows';
import { SubmissionCache } from './submission-cache';
import type { NewJob, StoredJob } from './store';

const now = (): string => new Date().toISOString();

/** Maps a tri-state option to SQL: true → 1, false → 0, undefined → NULL (leave the column as it is). */
const triState = (value: boolean | undefined): number | null => (value === undefined ? null : value ? 1 : 0);

export class JobTable {
  private readonly statements: ReturnType<typeof prepareJobStatements>;
  private readonly submissions = new SubmissionCache();

  constructor(db: DatabaseSync) {
    this.statements = prepareJobStatements(db);
  }

  insert(job: NewJob): StoredJob {
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
    return this.get(job.id)!;
  }

  get(id: string): StoredJob | null {
    const row = this.statements.getJob.get(id) as StoredJobRow | undefined;
    return row ? this.withSubmission(row) : null;
  }

  findByIdempotencyKey(owner: string, key: string): StoredJob | null {
    const row = this.statements.jobByIdempotencyKey.get(owner, key) as StoredJobRow | undefined;
    return row ? this.withSubmission(row) : null;
  }

  list(owner: string, query: JobListQuery): { jobs: Job[]; next_cursor: string | null } {
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

  unfinished(): StoredJob[] {
    return (this.statements.unfinishedJobs.all() as unknown as StoredJobRow[]).map((row) => this.withSubmission(row));
  }

  /** See JobStatusFields (store.ts) for what each field does. */
  setStatus(id: string, status: JobStatus, fields: { error?: string | null; started?: boolean; finished?: boolean }): void {
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

  /** Adds what calls cost to the job; call inside the store's write transaction, with the calls themselves. */
  bill(jobId: string, bill: { usd: number; input_tokens: number; output_tokens: number }): void {
    this.statements.billJob.run(bill.usd, bill.input_tokens, bill.output_tokens, jobId);
  }

  /** The job with its submission, parsed once per job (see SubmissionCache). */
  private withSubmission(row: StoredJobRow): StoredJob {
    const submission = this.submissions.get(row.id, () => (this.statements.getSubmission.get(row.id) as { submission: string }).submission);
    return storedJobFromRow(row, submission);
  }
}

function prepareJobStatements(db: DatabaseSync) {
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
    billJob: prepare('UPDATE jobs SET usd = usd + ?, input_tokens = input_tokens + ?, output_tokens = output_tokens + ? WHERE id = ?'),
  } satisfies Record<string, StatementSync>;
}
