// EDSL's paged results (`remote-inference/job/{uuid}/results/manifest` and `…/page`): interviews with their
// agent, scenario, model and answers, which the client builds its Results from.
import { Hono } from 'hono';
import { edslInterviews } from '../../edsl/results';
import { integerParam } from '../http/request';
import type { AppDeps, AppEnv } from '../http/types';
import type { Result } from '../../api';
import type { StoredJob } from '../store/store';
import { edslStatus } from './job-status';
import { compiledSurvey, pricesFrom } from './job-survey';

export function resultsRoutes(deps: AppDeps, storedJob: (owner: string, uuid: string) => Promise<StoredJob>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const interviewIds = async (jobId: string): Promise<number[]> => {
    const ids: number[] = [];
    for await (const result of deps.store.allResults(jobId)) if (ids[ids.length - 1] !== result.interview) ids.push(result.interview);
    return ids;
  };
  const pageSizeOf = (value: string | undefined) => integerParam(value, 'page_size', { min: 1, max: 1000, fallback: 100 });

  app.get('/:uuid/results/manifest', async (c) => {
    const job = await storedJob(c.var.user, c.req.param('uuid'));
    const pageSize = pageSizeOf(c.req.query('page_size'));
    const ids = await interviewIds(job.id);
    return c.json({
      job_id: job.id,
      status: edslStatus(job),
      total_interviews: ids.length,
      page_size: pageSize,
      page_count: Math.ceil(ids.length / pageSize),
      interview_ids: ids,
    });
  });

  app.get('/:uuid/results/page', async (c) => {
    const job = await storedJob(c.var.user, c.req.param('uuid'));
    const pageSize = pageSizeOf(c.req.query('page_size'));
    const page = integerParam(c.req.query('page'), 'page', { min: 0, max: 1_000_000, fallback: 0 });
    const wanted = new Set((await interviewIds(job.id)).slice(page * pageSize, (page + 1) * pageSize));
    const rows: Result[] = [];
    for await (const result of deps.store.allResults(job.id)) if (wanted.has(result.interview)) rows.push(result);
    const interviews = edslInterviews(compiledSurvey(job), rows, pricesFrom(deps.jobs.models()));
    return c.json({ job_id: job.id, page, page_size: pageSize, total_on_page: interviews.length, interviews });
  });

  return app;
}
