// The job server's storage, behind one interface with two implementations: SQLite (embedded, the default) and
// PostgreSQL (a team's server, several replicas on one database). Every method is asynchronous because a networked
// store is; the SQLite store does its work at once and hands back settled promises.
import type { Job, JobEvent, JobListQuery, JobStatus, ModelCost, Result } from '../../api';

/** A stored job: the wire `Job` plus what the runner needs to (re)start it. */
export interface StoredJob extends Job {
  /** The submission exactly as accepted: source text and inline files, so a restart re-parses it identically. */
  submission: { source: { name: string; text: string }; files: Record<string, string>; fresh?: boolean | undefined };
  idempotency_key: string | null;
}

export interface NewJob {
  id: string;
  kind: Job['kind'];
  name: string;
  source_name: string;
  owner: string;
  models: string[];
  interviews_total: number;
  submission: StoredJob['submission'];
  idempotency_key: string | null;
}

export interface NewEvent {
  job_id: string;
  type: JobEvent['type'];
  message: string;
  data?: Record<string, unknown> | null;
}

/** One result row as the runner writes it (job-wide fields filled by the store). */
export type NewResult = Omit<Result, 'job_id'>;

/** An interview that finished (every question answered, skipped, invalid or failed) and is never run again. */
export interface FinishedInterview {
  interview: number;
  failed: boolean;
  results: NewResult[];
  /** Calls answered from the cache in this interview, and calls that reached a provider. */
  calls_cached: number;
  calls_done: number;
  calls_failed: number;
  /** What this interview's calls cost, for its own record; the job is billed per call by putCachedCall. */
  usd: number;
  input_tokens: number;
  output_tokens: number;
}

export interface CachedCall {
  key: string;
  raw: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  model_version: string | null;
}

/**
 * Whose cache a call is in: `user:<name>`, or `team:<name>` for the users of a team named in the server config.
 * A user reads and fills only their own scope, so nobody learns from the cache what prompts others have run.
 */
export type CacheScope = string;

/** A cached call as stored: with the job and interview that paid a provider for it (null when not known). */
export interface StoredCall extends CachedCall {
  paid_job: string | null;
  paid_interview: number | null;
}

/** The job a stored call is billed to: its model's label (for costByModel) and the interview that asked. */
export interface CallBill {
  job: string;
  model?: string | undefined;
  interview?: number | undefined;
}

/**
 * `started: true` stamps the start time now (a resumed run passes false and keeps the first one).
 * `finished`: true stamps the time now, false clears it (a retried job is unfinished again), absent leaves it.
 * `error`: a string sets it, null clears it, absent leaves it.
 */
export interface JobStatusFields {
  error?: string | null;
  started?: boolean;
  finished?: boolean;
}

export interface ApiKeyRecord {
  id: string;
  user: string;
  prefix: string;
  created_at: string;
}

/** A key as `keys list` shows it: never the key or its hash. */
export interface ApiKeyInfo extends ApiKeyRecord {
  /** Known to within a minute; null if never used since it was recorded. */
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface CacheStats {
  entries: number;
  bytes: number;
}

export interface Store {
  // keys
  /** Throws InvalidUserNameError for an empty or blank name. */
  createApiKey(user: string): Promise<{ key: string; record: ApiKeyRecord }>;
  /** The user a presented key belongs to, or null (unknown or revoked). Compares hashes, never plain keys. */
  userForKey(key: string): Promise<string | null>;
  /** Keys that are not revoked. */
  countApiKeys(): Promise<number>;
  /** Every key, oldest first, revoked ones included. */
  listApiKeys(): Promise<ApiKeyInfo[]>;
  /** Revokes the key with this id, or every key of the user with this name; returns the keys revoked now. */
  revokeApiKeys(idOrUser: string): Promise<ApiKeyInfo[]>;

  // jobs
  insertJob(job: NewJob): Promise<StoredJob>;
  getJob(id: string): Promise<StoredJob | null>;
  findJobByIdempotencyKey(owner: string, key: string): Promise<StoredJob | null>;
  listJobs(owner: string, query: JobListQuery): Promise<{ jobs: Job[]; next_cursor: string | null }>;
  /** Jobs a (re)started server must pick up: queued, running or cancelling. */
  unfinishedJobs(): Promise<StoredJob[]>;
  /**
   * With `event`, the event is appended in the same transaction and returned: whoever reads the new status finds the
   * event too (a stream that sees a job finished has its last event to send).
   */
  setJobStatus(id: string, status: JobStatus, fields?: JobStatusFields, event?: NewEvent): Promise<JobEvent | null>;

  // interviews and results (written together, in one transaction, so a crash never leaves half an interview)
  finishInterviews(jobId: string, interviews: FinishedInterview[]): Promise<void>;
  /** Indexes of interviews that are finished and not failed (failed ones run again on retry). */
  finishedInterviews(jobId: string): Promise<Set<number>>;
  /** Forget failed interviews so a retry runs them again; returns how many. */
  clearFailedInterviews(jobId: string): Promise<number>;
  /** A page of results in (interview, question) order; `interviews` keeps those of interviews first..last only. */
  results(jobId: string, page: ResultPageQuery): Promise<{ results: Result[]; next_cursor: string | null }>;
  allResults(jobId: string): AsyncIterable<Result>;

  // events
  appendEvent(event: NewEvent): Promise<JobEvent>;
  eventsAfter(jobId: string, afterId: number, limit: number): Promise<JobEvent[]>;

  // cache of calls, content-addressed within a scope (see CacheScope)
  getCachedCall(scope: CacheScope, key: string): Promise<StoredCall | null>;
  /**
   * Stores a call a provider answered and, with `bill`, adds its cost and tokens to that job at once —
   * not when its interview finishes — so calls of interviews cut short by a cancel or a crash are billed too,
   * and a resumed interview finds them in the cache instead of paying again. With `bill.model` (its label in the
   * job), the call is also added to that model's row of costByModel; `bill.interview` is kept with the call, so
   * that interview, run again, can put what was paid on its row. Buffered: written with the next flush, which the
   * store schedules itself (reads of this store see the call at once).
   */
  putCachedCall(scope: CacheScope, call: CachedCall, bill?: CallBill): void;
  /** Counts a call of `model` that the cache answered (or an identical call in flight shared) for the job, at $0. */
  countCacheHit(jobId: string, model: string): void;
  /** What each model of the job did and cost (see ModelCost); empty for jobs stored before this was kept. */
  costByModel(jobId: string): Promise<ModelCost[]>;
  /** Which of these keys the scope's cache holds: one read for many calls (an estimate asks about thousands). */
  cachedKeys(scope: CacheScope, keys: readonly string[]): Promise<Set<string>>;
  /** Every scope's calls: the server's administrator sees and clears the whole cache. */
  cacheStats(): Promise<CacheStats>;
  clearCache(): Promise<number>;

  /** Writes buffered rows; the store may batch writes within one turn of the event loop. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** A paging cursor this store did not hand out, or one that was altered; the HTTP layer answers 400. */
export class InvalidCursorError extends Error {
  constructor(message = 'The cursor is not valid: pass back a next_cursor exactly as it was returned.') {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

export interface ResultPageQuery {
  cursor?: string | undefined;
  limit: number;
  /** [first, last] interview indexes, inclusive. */
  interviews?: readonly [number, number] | undefined;
}
