// Rows as SQLite returns them, and their mapping to the wire types. Typed, not parsed: these run on hot paths,
// so the tests check them against the protocol's zod schemas instead.
import type { Job, JobEvent, Result } from '../../api';
import type { StoredCall, StoredJob } from './store';

export interface JobRow {
  id: string;
  kind: Job['kind'];
  name: string;
  source_name: string;
  owner: string;
  status: Job['status'];
  models: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  interviews_total: number;
  interviews_done: number;
  interviews_failed: number;
  calls_done: number;
  calls_cached: number;
  calls_failed: number;
  usd: number;
  input_tokens: number;
  output_tokens: number;
}

export interface StoredJobRow extends JobRow {
  idempotency_key: string | null;
}

/** Every jobs column but the submission, which is read (and parsed) apart: it can be large and never changes. */
export const JOB_COLUMNS = `id, kind, name, source_name, owner, status, models, created_at, started_at, finished_at, error,
  interviews_total, interviews_done, interviews_failed, calls_done, calls_cached, calls_failed, usd, input_tokens, output_tokens`;

export function jobFromRow(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    source_name: row.source_name,
    owner: row.owner,
    status: row.status,
    models: JSON.parse(row.models) as string[],
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    progress: {
      interviews_total: row.interviews_total,
      interviews_done: row.interviews_done,
      interviews_failed: row.interviews_failed,
      calls_done: row.calls_done,
      calls_cached: row.calls_cached,
      calls_failed: row.calls_failed,
    },
    cost: { usd: row.usd, input_tokens: row.input_tokens, output_tokens: row.output_tokens },
    error: row.error,
  };
}

export function storedJobFromRow(row: StoredJobRow, submission: StoredJob['submission']): StoredJob {
  return { ...jobFromRow(row), submission, idempotency_key: row.idempotency_key };
}

export interface ResultRow {
  job_id: string;
  interview: number;
  question_index: number;
  question: string;
  agent_index: number;
  agent_name: string | null;
  scenario_index: number;
  model: string;
  iteration: number;
  status: Result['status'];
  answer: string | null;
  comment: string | null;
  raw: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  cached: number;
  latency_ms: number;
  error: string | null;
  sample_id: string | null;
  epoch: number | null;
  input: string | null;
  target: string | null;
  scores: string | null;
}

export function resultFromRow(row: ResultRow): Result {
  const result: Result = {
    job_id: row.job_id,
    interview: row.interview,
    agent_index: row.agent_index,
    agent_name: row.agent_name,
    scenario_index: row.scenario_index,
    model: row.model,
    iteration: row.iteration,
    question: row.question,
    status: row.status,
    answer: row.answer === null ? null : (JSON.parse(row.answer) as unknown),
    comment: row.comment,
    raw: row.raw,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    cost_usd: row.cost_usd,
    cached: row.cached === 1,
    latency_ms: row.latency_ms,
    error: row.error,
  };
  // Eval fields only where there are some: survey results keep their shape.
  if (row.sample_id !== null) {
    result.sample_id = row.sample_id;
    if (row.epoch !== null) result.epoch = row.epoch;
    if (row.input !== null) result.input = row.input;
    result.target = row.target === null ? [] : (JSON.parse(row.target) as string[]);
    result.scores = row.scores === null ? null : (JSON.parse(row.scores) as Result['scores']);
  }
  return result;
}

export interface EventRow {
  id: number;
  job_id: string;
  type: JobEvent['type'];
  at: string;
  message: string;
  data: string | null;
}

export function eventFromRow(row: EventRow): JobEvent {
  return {
    id: row.id,
    job_id: row.job_id,
    type: row.type,
    at: row.at,
    message: row.message,
    data: row.data === null ? null : (JSON.parse(row.data) as Record<string, unknown>),
  };
}

export interface CachedCallRow {
  key: string;
  raw: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  model_version: string | null;
  paid_job: string | null;
  paid_interview: number | null;
}

export function cachedCallFromRow(row: CachedCallRow): StoredCall {
  return {
    key: row.key,
    raw: row.raw,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    cost_usd: row.cost_usd,
    model_version: row.model_version,
    paid_job: row.paid_job,
    paid_interview: row.paid_interview,
  };
}
