// /api/v0: the endpoints EDSL's client calls for remote inference (edsl/coop/coop.py), translated onto the same
// job manager and store as /v1 — the same jobs, keys, ownership and cache. Uploads and downloads go to URLs that
// carry their own one-time or signed token, since EDSL sends no key with them, as with cloud storage.
import { Hono, type Context } from 'hono';
import { importEdsl } from '../../edsl/import';
import { exportJobs } from '../../edsl/export';
import { edslResults } from '../../edsl/results';
import { edslSourceName, isFinished, type Job, type JobSubmission, type Result } from '../../api';
import type { StoredJob } from '../store/store';
import { parseWith, readJsonBody } from '../http/request';
import type { AppDeps, AppEnv } from '../http/types';
import { edslAuth } from './auth';
import { DetailError, detailFor, detailResponse, internalDetail } from './detail';
import { remoteInferenceResponse, hasResults, type JobRunContext } from './job-status';
import { compiledSurvey, modelId, pricesFrom, storedSurvey } from './job-survey';
import { jobList, priceList } from './listings';
import { resultsRoutes } from './results-routes';
import { DownloadSigner } from './signed-urls';
import { PendingUploads, type Announcement } from './uploads';
import { CostRequest, NewRemoteInference, ObjectPull, UpdateStatus, Uploaded } from './wire';

export const EDSL_IDEMPOTENCY_PREFIX = 'edsl:';

export interface EdslDeps extends AppDeps {
  uploads?: PendingUploads;
  signer?: DownloadSigner;
}

export function createEdslApp(deps: EdslDeps): Hono<AppEnv> {
  const { store, jobs } = deps;
  const uploads = deps.uploads ?? new PendingUploads();
  const signer = deps.signer ?? new DownloadSigner();
  const app = new Hono<AppEnv>();
  const origin = (c: Context<AppEnv>): string => new URL(c.req.url).origin;
  const body = async <T>(c: Context<AppEnv>, schema: Parameters<typeof parseWith>[0], what: string): Promise<T> =>
    parseWith(schema, await readJsonBody(c.req.raw, deps.limits.max_body_bytes), what) as T;

  /** The caller's job by the id /uploaded gave, or by the uuid new-remote-inference gave; 404 for anyone else's. */
  const ownJob = async (owner: string, uuid: string): Promise<Job> => {
    const announced = await store.findJobByIdempotencyKey(owner, EDSL_IDEMPOTENCY_PREFIX + uuid);
    return jobs.get(owner, announced ? announced.id : uuid);
  };
  const storedJob = async (owner: string, uuid: string): Promise<StoredJob> => (await store.getJob((await ownJob(owner, uuid)).id))!;
  /** Every result of a job, read into memory (EDSL takes them whole). */
  const allOf = async (jobId: string): Promise<Result[]> => {
    const out: Result[] = [];
    for await (const result of store.allResults(jobId)) out.push(result);
    return out;
  };

  app.onError((error, c) => {
    const known = detailFor(error);
    if (known) return known;
    deps.log(`${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`);
    return internalDetail();
  });

  // Reached without a key: the token in the URL is the credential.
  app.put('/uploads/:uuid', async (c) => {
    const uuid = c.req.param('uuid');
    const redeemed = uploads.redeem(uuid, c.req.query('token') ?? '');
    if (!redeemed) {
      throw new DetailError(403, 'This upload URL is not valid: its token is wrong, was already used, or has expired. Start the job again to get a new one.');
    }
    const submission = await toSubmission(await readJsonBody(c.req.raw, deps.limits.max_body_bytes), uuid, redeemed.announcement);
    await jobs.estimate(redeemed.owner, submission); // every check a run makes, before anything runs
    uploads.uploaded(uuid, submission);
    return c.json({ job_uuid: uuid, status: 'uploaded' });
  });
  // The token rides in the query, so the request log (which shows the path) never holds it.
  app.get('/downloads', async (c) => {
    const signed = signer.verify(c.req.query('token') ?? '');
    if (!signed) throw new DetailError(403, 'This download URL is not valid or has expired. Ask for the results again.');
    const job = (await store.getJob((await jobs.get(signed.owner, signed.jobId)).id))!;
    return c.json(edslResults(compiledSurvey(job), await allOf(job.id), pricesFrom(jobs.models())));
  });

  app.use('*', edslAuth(store));

  app.get('/edsl-settings', (c) => c.json({ remote_inference: true, remote_caching: true }));

  app.post('/new-remote-inference', async (c) => {
    const request = await body<{ description?: string | null; iterations?: number | null; fresh?: boolean | null; visibility?: string | null }>(
      c,
      NewRemoteInference,
      'remote inference request',
    );
    const announcement: Announcement = {
      description: request.description ?? null,
      iterations: request.iterations ?? 1,
      fresh: request.fresh ?? false,
      visibility: request.visibility ?? 'private',
    };
    let announced;
    try {
      announced = uploads.announce(c.var.user, announcement);
    } catch {
      throw new DetailError(429, 'This server holds too many jobs waiting for their upload. Try again in a minute.');
    }
    const url = `${origin(c)}/api/v0/uploads/${announced.jobUuid}?token=${announced.token}`;
    return c.json({ job_uuid: announced.jobUuid, upload_signed_url: url, status: 'queued' });
  });

  app.post('/new-remote-inference/uploaded', async (c) => {
    const { job_uuid: uuid } = await body<{ job_uuid: string }>(c, Uploaded, 'upload notice');
    const already = await store.findJobByIdempotencyKey(c.var.user, EDSL_IDEMPOTENCY_PREFIX + uuid);
    const pending = already ? null : uploads.ready(c.var.user, uuid);
    if (!already && !pending) throw new DetailError(404, `There is no announced job ${uuid} of yours waiting to start. Start the job again.`);
    if (pending && !pending.submission) throw new DetailError(409, `Job ${uuid} has not been uploaded yet: PUT the Jobs JSON to its upload URL first.`);
    const submission = pending?.submission ?? already!.submission;
    const { job } = await jobs.submit(c.var.user, submission, EDSL_IDEMPOTENCY_PREFIX + uuid);
    uploads.forget(uuid);
    const announcement = pending?.announcement;
    return c.json({
      job_uuid: job.id,
      description: announcement?.description ?? job.name,
      status: 'queued',
      iterations: announcement?.iterations ?? 1,
      visibility: announcement?.visibility ?? 'private',
    });
  });

  app.get('/remote-inference', async (c) => {
    const uuid = c.req.query('job_uuid') ?? c.req.query('results_uuid');
    if (!uuid) throw new DetailError(400, 'Give job_uuid (or results_uuid) in the query.');
    const job = await ownJob(c.var.user, uuid);
    const stored = (await store.getJob(job.id))!;
    const includeJson = c.req.query('include_json_string') === 'true' || c.req.query('include_json_string') === 'True';
    return c.json(
      remoteInferenceResponse(job, deps.version, await runContext(job, stored), includeJson ? JSON.stringify(exportJobs(storedSurvey(stored))) : null),
    );
  });

  app.post('/remote-inference/update-status', async (c) => {
    const { job_uuid: uuid } = await body<{ job_uuid: string }>(c, UpdateStatus, 'status update');
    const job = await jobs.cancel(c.var.user, (await ownJob(c.var.user, uuid)).id);
    return c.json({ job_uuid: job.id, status: job.status === 'cancelled' ? 'cancelled' : 'cancelling' });
  });

  app.post('/remote-inference/cost', async (c) => {
    const request = await body<{ json_string: string; iterations?: number | null }>(c, CostRequest, 'cost request');
    let value: unknown;
    try {
      value = JSON.parse(request.json_string);
    } catch {
      throw new DetailError(400, 'json_string is not JSON: send json.dumps(jobs.to_dict()).');
    }
    const announcement: Announcement = { description: null, iterations: request.iterations ?? 1, fresh: false, visibility: 'private' };
    const estimate = await jobs.estimate(c.var.user, await toSubmission(value, 'cost', announcement));
    const usd = estimate.total.usd?.expected ?? null;
    return c.json({ cost_in_credits: usd === null ? null : Math.ceil(usd * 100 * 10_000) / 10_000, cost_in_usd: usd });
  });

  app.post('/object/pull', async (c) => {
    const { object_uuid: uuid } = await body<{ object_uuid: string }>(c, ObjectPull, 'object pull');
    const job = await ownJob(c.var.user, uuid);
    if (!hasResults(job)) throw new DetailError(409, `Job ${job.id} is ${job.status}; its results can be pulled once it has finished.`);
    return c.json({ signed_url: `${origin(c)}/api/v0/downloads?token=${signer.sign(c.var.user, job.id)}`, object_type: 'results' });
  });

  app.get('/object', async (c) => {
    const uuid = c.req.query('uuid');
    if (!uuid) throw new DetailError(400, 'Give the uuid of the results in the query.');
    const job = await storedJob(c.var.user, uuid);
    return c.json({ json_string: JSON.stringify(edslResults(compiledSurvey(job), await allOf(job.id), pricesFrom(jobs.models()))), object_type: 'results' });
  });

  app.route('/remote-inference/job', resultsRoutes(deps, storedJob));
  app.get('/remote-inference/list', async (c) => c.json(await jobList(deps, c)));
  app.get('/prices', (c) => c.json(priceList(jobs.models())));

  app.all('*', (c) =>
    detailResponse(
      404,
      `There is no ${c.req.method} ${c.req.path} on this Fieldwork server; it answers the /api/v0 endpoints of EDSL's remote inference (see docs/edsl.md).`,
    ),
  );

  // EDSL polls every second or so: a job's survey is read once for its model ids, not on every poll.
  const modelIdsByJob = new Map<string, Map<string, string>>();
  async function runContext(job: Job, stored: StoredJob): Promise<JobRunContext> {
    const jobId = job.id;
    let modelIds = modelIdsByJob.get(jobId);
    if (!modelIds) {
      modelIds = new Map<string, string>();
      try {
        for (const model of storedSurvey(stored).models) modelIds.set(model.label, modelId(model));
      } catch {
        // an eval or a survey that no longer reads: labels stand for themselves
      }
      if (modelIdsByJob.size >= 1000) modelIdsByJob.delete(modelIdsByJob.keys().next().value!);
      modelIdsByJob.set(jobId, modelIds);
    }
    // Exception counts are read once the job has finished: a poll of a running job reads no results.
    return { results: isFinished(job.status) ? await allOf(jobId) : [], models: jobs.models(), modelIds };
  }

  async function toSubmission(value: unknown, uuid: string, announcement: Announcement): Promise<JobSubmission> {
    const imported = importEdsl(value, {
      name: announcement.description ?? `EDSL job ${uuid.slice(0, 8)}`,
      iterations: announcement.iterations,
      fresh: announcement.fresh,
    });
    if (!imported.ok) throw new DetailError(422, `Fieldwork cannot run this job: ${imported.reasons.join(' ')}`);
    if (imported.kind !== 'Jobs')
      throw new DetailError(422, 'This is an EDSL Survey; remote inference takes a Jobs object (survey.by(...) or survey.to_jobs()).');
    return { kind: 'survey', source: { name: edslSourceName(uuid), text: JSON.stringify(imported.survey, null, 2) }, files: {}, fresh: announcement.fresh };
  }

  return app;
}
