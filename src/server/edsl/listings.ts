// EDSL's job history (`remote-inference/list`) and price list (`prices`) from Fieldwork's jobs and models.
import type { Context } from 'hono';
import { JobStatus, type Job, type ModelInfo } from '../../api';
import { integerParam } from '../http/request';
import type { AppDeps, AppEnv } from '../http/types';
import { DetailError } from './detail';
import { edslStatus, hasResults } from './job-status';
import { EDSL_STATUS } from './wire';

const FROM_EDSL_STATUS = new Map<string, JobStatus>(Object.entries(EDSL_STATUS).map(([ours, theirs]) => [theirs, ours as JobStatus]));

/** One page of the caller's jobs, newest first; `search_query` keeps those whose name contains it. */
export async function jobList(deps: AppDeps, c: Context<AppEnv>): Promise<Record<string, unknown>[]> {
  const page = integerParam(c.req.query('page'), 'page', { min: 1, max: 10_000, fallback: 1 });
  const pageSize = integerParam(c.req.query('page_size'), 'page_size', { min: 1, max: 200, fallback: 10 });
  const statuses = (c.req.queries('status') ?? [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  const status = statuses.map((value) => {
    const ours = FROM_EDSL_STATUS.get(value);
    if (!ours) throw new DetailError(400, `status "${value}" is not a job status; use ${[...FROM_EDSL_STATUS.keys()].join(', ')}.`);
    return ours;
  });
  const search = c.req.query('search_query')?.toLowerCase();
  let cursor: string | undefined;
  let jobs: Job[] = [];
  for (let at = 1; at <= page; at++) {
    const listed = await deps.store.listJobs(c.var.user, { status: status.length > 0 ? status : undefined, limit: pageSize, cursor });
    jobs = listed.jobs;
    if (listed.next_cursor === null) {
      if (at < page) jobs = [];
      break;
    }
    cursor = listed.next_cursor;
  }
  return jobs
    .filter((job) => search === undefined || job.name.toLowerCase().includes(search))
    .map((job) => ({
      uuid: job.id,
      description: job.name,
      status: edslStatus(job),
      cost_credits: Math.round(job.cost.usd * 100 * 10_000) / 10_000,
      iterations: null,
      results_uuid: hasResults(job) ? job.id : null,
      latest_error_report_uuid: null,
      latest_failure_reason: job.status === 'failed' ? job.error : null,
      version: null,
      created_ts: job.created_at,
    }));
}

/** EDSL's price list: one entry per model and token type, for the models this server names and prices. */
export function priceList(models: readonly ModelInfo[]): Record<string, unknown>[] {
  return models.flatMap((model) => {
    if (!model.price || model.id.endsWith('/*')) return [];
    const service = model.id === 'test' ? 'test' : model.service;
    const name = model.model ?? (model.id === 'test' ? 'test' : model.id.slice(model.id.indexOf('/') + 1));
    return (['input', 'output'] as const).map((tokenType) => ({
      service,
      model: name,
      token_type: tokenType,
      usd_per_1M_tokens: tokenType === 'input' ? model.price!.input_per_mtok : model.price!.output_per_mtok,
      as_of: model.price!.as_of,
    }));
  });
}
