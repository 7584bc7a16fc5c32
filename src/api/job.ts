// The /v1 wire format for jobs: the one source of truth for what the server sends and the client accepts.
import { z } from 'zod';
import { Metric } from './metrics';

export const JobStatus = z.enum(['queued', 'running', 'completed', 'partially_failed', 'failed', 'cancelling', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;

/** Statuses a job never leaves on its own. */
export const FINISHED_STATUSES: readonly JobStatus[] = ['completed', 'partially_failed', 'failed', 'cancelled'];
export const isFinished = (status: JobStatus): boolean => FINISHED_STATUSES.includes(status);

export const JobKind = z.enum(['survey', 'eval']);
export type JobKind = z.infer<typeof JobKind>;

export const JobProgress = z.object({
  interviews_total: z.number().int().nonnegative(),
  interviews_done: z.number().int().nonnegative(),
  interviews_failed: z.number().int().nonnegative(),
  /** Calls answered, from a provider or the cache. */
  calls_done: z.number().int().nonnegative(),
  /** Of `calls_done`, those answered from the cache at no cost. */
  calls_cached: z.number().int().nonnegative(),
  calls_failed: z.number().int().nonnegative(),
});
export type JobProgress = z.infer<typeof JobProgress>;

/** What the job was billed: calls answered from the cache cost nothing and add no tokens here. */
export const JobCost = z.object({
  usd: z.number().nonnegative(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
});
export type JobCost = z.infer<typeof JobCost>;

/**
 * What one model of a job did and cost, counted as calls are made: `calls` were answered (from a provider or the
 * cache), `cached_calls` of them from the cache at $0; tokens and `usd` are what providers billed. A call asked
 * again after a restart or a retry counts again, as cached. `usd` is null when the model has no known price.
 */
export const ModelCost = z.object({
  model: z.string(),
  calls: z.number().int().nonnegative(),
  cached_calls: z.number().int().nonnegative(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  usd: z.number().nonnegative().nullable(),
});
export type ModelCost = z.infer<typeof ModelCost>;

export const Job = z.object({
  id: z.string(),
  kind: JobKind,
  name: z.string(),
  source_name: z.string(),
  owner: z.string(),
  status: JobStatus,
  models: z.array(z.string()),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  progress: JobProgress,
  cost: JobCost,
  /** Why the job failed or was cancelled, in words a user can act on. */
  error: z.string().nullable(),
  /** Eval jobs that have finished: metrics per model and scorer (live ones: GET /v1/jobs/{id}/metrics). */
  metrics: z.array(Metric).optional(),
  /** Actual cost per model (GET /v1/jobs/{id}); absent in lists and for jobs stored before servers kept it. */
  cost_by_model: z.array(ModelCost).optional(),
});
export type Job = z.infer<typeof Job>;

export const JobList = z.object({
  jobs: z.array(Job),
  next_cursor: z.string().nullable(),
});
export type JobList = z.infer<typeof JobList>;

/**
 * POST /v1/jobs and POST /v1/estimates. Files the survey names travel inline: the server never opens a path from a
 * request. `kind` is decided where the file is loaded; a server infers it from the file's name when an older client
 * sends none.
 */
export const JobSubmission = z.object({
  kind: JobKind.optional(),
  source: z.object({
    name: z.string().min(1).max(500),
    text: z.string(),
  }),
  files: z.record(z.string(), z.string()).default({}),
  fresh: z.boolean().optional(),
});
export type JobSubmission = z.input<typeof JobSubmission>;

export const JobListQuery = z.object({
  status: z.array(JobStatus).optional(),
  limit: z.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});
export type JobListQuery = z.input<typeof JobListQuery>;
