// The /v1 API: routes translate HTTP to the job manager and the store, and every error to problem+json.
import { Hono } from 'hono';
import { JobListQuery, JobStatus, JobSubmission, type Estimate, type Health, type Job, type JobList, type MetricsReport, type ModelList } from '../../api';
import { bearerAuth } from './auth';
import { eventsRoute } from './events';
import { internalProblem, invalidRequest, notFound, problemFor, problemResponse } from './problem';
import { integerParam, parseWith, readJsonBody } from './request';
import { resultsRoute } from './results';
import { jobSource } from './source';
import type { AppDeps, AppEnv } from './types';

export type { AppDeps } from './types';

const MAX_IDEMPOTENCY_KEY = 200;

/** `mounts`: other APIs under their own prefix (EDSL's /api/v0), with their own keys check and error shape. */
export function createV1App(deps: AppDeps, mounts: Record<string, Hono<AppEnv>> = {}): Hono<AppEnv> {
  const { store, jobs, log } = deps;
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const user = c.get('user');
    log(`${c.req.method} ${c.req.path} ${c.res.status} ${Math.round(performance.now() - started)}ms${user ? ` user=${user}` : ''}`);
  });
  for (const [prefix, api] of Object.entries(mounts)) app.route(prefix, api);
  app.use('*', bearerAuth(store));

  const readSubmission = async (request: Request) => parseWith(JobSubmission, await readJsonBody(request, deps.limits.max_body_bytes), 'job submission');

  app.get('/v1/health', async (c) => {
    const health: Health = { status: 'ok', version: deps.version, user: c.var.user, jobs_running: await jobs.runningCount(), limits: deps.limits };
    return c.json(health);
  });

  app.get('/v1/models', (c) => {
    const models: ModelList = { models: jobs.models() };
    return c.json(models);
  });

  app.post('/v1/estimates', async (c) => {
    const estimate: Estimate = await jobs.estimate(c.var.user, await readSubmission(c.req.raw));
    return c.json(estimate);
  });

  app.post('/v1/jobs', async (c) => {
    const idempotencyKey = c.req.header('idempotency-key') ?? null;
    if (idempotencyKey !== null && (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY)) {
      throw invalidRequest(`The Idempotency-Key header must be 1 to ${MAX_IDEMPOTENCY_KEY} characters.`);
    }
    const submission = await readSubmission(c.req.raw);
    const { job, created } = await jobs.submit(c.var.user, submission, idempotencyKey);
    if (created) c.header('location', `/v1/jobs/${encodeURIComponent(job.id)}`);
    return c.json(wireJob(job), created ? 201 : 200);
  });

  app.get('/v1/jobs', async (c) => {
    const statuses = c.req
      .queries('status')
      ?.flatMap((value) => value.split(','))
      .map((value) => value.trim())
      .filter((value) => value !== '');
    for (const status of statuses ?? []) {
      if (!JobStatus.safeParse(status).success) {
        throw invalidRequest(`status "${status}" is not a job status; use ${JobStatus.options.join(', ')}.`);
      }
    }
    const query = parseWith(
      JobListQuery,
      {
        status: statuses,
        limit: integerParam(c.req.query('limit'), 'limit', { min: 1, max: 200, fallback: 50 }),
        cursor: c.req.query('cursor') || undefined,
      },
      'job list query',
    );
    const page = await store.listJobs(c.var.user, query);
    const list: JobList = { jobs: page.jobs.map(wireJob), next_cursor: page.next_cursor };
    return c.json(list);
  });

  app.get('/v1/jobs/:id', async (c) => c.json(wireJob(await jobs.get(c.var.user, c.req.param('id')))));
  app.get('/v1/jobs/:id/events', eventsRoute(deps));
  app.get('/v1/jobs/:id/source', async (c) => c.json(await jobSource(deps, c.var.user, c.req.param('id'))));
  app.get('/v1/jobs/:id/results', resultsRoute(deps));
  app.get('/v1/jobs/:id/metrics', async (c) => {
    if (!jobs.metrics) throw notFound('This server does not compute eval metrics.');
    const report: MetricsReport = await jobs.metrics(c.var.user, c.req.param('id'));
    return c.json(report);
  });
  app.post('/v1/jobs/:id/cancel', async (c) => c.json(wireJob(await jobs.cancel(c.var.user, c.req.param('id')))));
  app.post('/v1/jobs/:id/retry', async (c) => c.json(wireJob(await jobs.retry(c.var.user, c.req.param('id')))));

  app.notFound((c) => {
    const { problem } = notFound(`There is no ${c.req.method} ${c.req.path} in this API; see /v1/health, /v1/models, /v1/estimates and /v1/jobs.`);
    return problemResponse({ ...problem, instance: c.req.path });
  });

  app.onError((error, c) => {
    const known = problemFor(error);
    if (known) return problemResponse({ ...known.problem, instance: c.req.path }, known.headers);
    log(`${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`);
    return problemResponse({ ...internalProblem(), instance: c.req.path });
  });

  return app;
}

/** Exactly the wire fields: the job service may hand back its stored job, with the submission and idempotency key. */
function wireJob(job: Job): Job {
  return {
    id: job.id,
    kind: job.kind,
    name: job.name,
    source_name: job.source_name,
    owner: job.owner,
    status: job.status,
    models: job.models,
    created_at: job.created_at,
    started_at: job.started_at,
    finished_at: job.finished_at,
    progress: job.progress,
    cost: job.cost,
    error: job.error,
    ...(job.metrics ? { metrics: job.metrics } : {}),
    ...(job.cost_by_model ? { cost_by_model: job.cost_by_model } : {}),
  };
}
