import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Estimate, Health, Job, JobList, ModelList, PROBLEM_TYPES, Problem } from '../../../src/api';
import { ESTIMATE, INVALID_SPEC_TEXT, MAX_BODY_BYTES, MODELS, postJson, startTestServer, submission, type TestServer } from './harness';

/** Every route of the API, with a body where it takes one. `:id` is replaced by a real job's id. */
const ROUTES: { method: string; path: string; body?: unknown }[] = [
  { method: 'GET', path: '/v1/health' },
  { method: 'GET', path: '/v1/models' },
  { method: 'POST', path: '/v1/estimates', body: submission() },
  { method: 'POST', path: '/v1/jobs', body: submission() },
  { method: 'GET', path: '/v1/jobs' },
  { method: 'GET', path: '/v1/jobs/:id' },
  { method: 'GET', path: '/v1/jobs/:id/events' },
  { method: 'GET', path: '/v1/jobs/:id/results' },
  { method: 'POST', path: '/v1/jobs/:id/cancel' },
  { method: 'POST', path: '/v1/jobs/:id/retry' },
  { method: 'GET', path: '/v1/no-such-route' },
];

async function expectProblem(response: Response, status: number, type: string): Promise<Problem> {
  assert.equal(response.status, status, `status of ${response.url}`);
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  const problem = Problem.parse(await response.json());
  assert.equal(problem.status, status);
  assert.equal(problem.type, type);
  assert.ok(problem.title.length > 0);
  return problem;
}

const createJob = async (server: TestServer, key = server.key): Promise<Job> => {
  const response = await server.request('/v1/jobs', {
    ...postJson(submission()),
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  });
  assert.equal(response.status, 201);
  return Job.parse(await response.json());
};

test('every route refuses a request without a key, with a wrong key, or with another scheme', async (t) => {
  const server = await startTestServer(t);
  const job = await createJob(server);
  const jobsBefore = (await server.store.listJobs('ada', {})).jobs.length;
  const cases: [string, Record<string, string>, string][] = [
    ['no key', {}, 'Bearer realm="fieldwork"'],
    ['wrong key', { authorization: `Bearer ${server.key}x` }, 'Bearer realm="fieldwork", error="invalid_token"'],
    ['basic auth', { authorization: `Basic ${Buffer.from(`ada:${server.key}`).toString('base64')}` }, 'Bearer realm="fieldwork", error="invalid_token"'],
    ['empty bearer', { authorization: 'Bearer ' }, 'Bearer realm="fieldwork", error="invalid_token"'],
  ];
  for (const route of ROUTES) {
    for (const [name, headers, challenge] of cases) {
      const response = await fetch(`${server.url}${route.path.replace(':id', job.id)}`, {
        method: route.method,
        headers: { ...headers, ...(route.body ? { 'content-type': 'application/json' } : {}) },
        ...(route.body ? { body: JSON.stringify(route.body) } : {}),
      });
      const problem = await expectProblem(response, 401, PROBLEM_TYPES.unauthorized);
      assert.equal(response.headers.get('www-authenticate'), challenge, `${route.method} ${route.path} (${name})`);
      assert.ok(!JSON.stringify(problem).includes(server.key), 'the key is never echoed');
    }
  }
  assert.equal((await server.store.listJobs('ada', {})).jobs.length, jobsBefore, 'refused requests did nothing');
  assert.equal((await server.jobs.get('ada', job.id)).status, 'queued');
});

test('health names the caller, the version and the running jobs; models come from the core', async (t) => {
  const server = await startTestServer(t);
  const job = await createJob(server);
  await server.store.setJobStatus(job.id, 'running', { started: true });
  const health = Health.parse(await (await server.request('/v1/health')).json());
  assert.deepEqual(health, {
    status: 'ok',
    version: '9.9.9-test',
    user: 'ada',
    jobs_running: 1,
    limits: { max_body_bytes: MAX_BODY_BYTES, max_questions: 2000, max_interviews: 1_000_000 },
  });
  const other = Health.parse(await (await server.request('/v1/health', { headers: { authorization: `Bearer ${server.otherKey}` } })).json());
  assert.equal(other.user, 'grace');
  assert.deepEqual(ModelList.parse(await (await server.request('/v1/models')).json()), { models: MODELS });
});

test('an estimate answers for a valid submission and refuses bad bodies as problems that name the fault', async (t) => {
  const server = await startTestServer(t);
  const ok = await server.request('/v1/estimates', postJson(submission()));
  assert.equal(ok.status, 200);
  assert.deepEqual(Estimate.parse(await ok.json()), ESTIMATE);

  const notJson = await server.request('/v1/estimates', { method: 'POST', body: '{"source": ' });
  assert.match((await expectProblem(notJson, 400, PROBLEM_TYPES.invalidRequest)).detail!, /not valid JSON/);

  const noName = await server.request('/v1/estimates', postJson({ source: { text: 'x' } }));
  assert.match((await expectProblem(noName, 400, PROBLEM_TYPES.invalidRequest)).detail!, /source\.name/);

  const badFiles = await server.request('/v1/estimates', postJson({ source: { name: 'a', text: 'x' }, files: { 'a.csv': 5 } }));
  assert.match((await expectProblem(badFiles, 400, PROBLEM_TYPES.invalidRequest)).detail!, /files\.a\.csv/);

  const empty = await server.request('/v1/estimates', { method: 'POST' });
  await expectProblem(empty, 400, PROBLEM_TYPES.invalidRequest);

  const invalidSpec = await server.request('/v1/estimates', postJson(submission(INVALID_SPEC_TEXT)));
  const problem = await expectProblem(invalidSpec, 422, PROBLEM_TYPES.invalidSpec);
  assert.deepEqual(problem.issues, [
    { file: 'ask.survey.yaml', line: 1, column: 12, end_line: 1, end_column: 14, path: ['questions'], message: 'Expected a list of questions.' },
  ]);
  assert.equal(problem.instance, '/v1/estimates');
});

test('a body over the limit is refused with 413, declared or streamed', async (t) => {
  const server = await startTestServer(t);
  const big = submission('x'.repeat(MAX_BODY_BYTES));
  const declared = await server.request('/v1/jobs', postJson(big));
  const problem = await expectProblem(declared, 413, PROBLEM_TYPES.tooLarge);
  assert.match(problem.detail!, /4,096 bytes/);
  assert.match(problem.detail!, /start the server with a larger --max-body-mb/, 'names the option that raises the limit');

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(1024)));
      controller.close();
    },
  });
  const streamed = await server.request('/v1/estimates', { method: 'POST', body, duplex: 'half' } as RequestInit);
  await expectProblem(streamed, 413, PROBLEM_TYPES.tooLarge);
  assert.equal((await server.store.listJobs('ada', {})).jobs.length, 0);

  const justFits = submission('x'.repeat(MAX_BODY_BYTES - 100));
  assert.equal((await server.request('/v1/jobs', postJson(justFits))).status, 201);
});

test('creating a job answers 201 with its location; the same idempotency key answers 200 with the same job', async (t) => {
  const server = await startTestServer(t);
  const first = await server.request('/v1/jobs', postJson(submission(), { 'idempotency-key': 'run-1' }));
  assert.equal(first.status, 201);
  const job = Job.parse(await first.json());
  assert.equal(first.headers.get('location'), `/v1/jobs/${job.id}`);
  assert.equal(job.owner, 'ada');
  assert.equal(job.status, 'queued');

  const again = await server.request('/v1/jobs', postJson(submission(), { 'idempotency-key': 'run-1' }));
  assert.equal(again.status, 200);
  assert.equal(Job.parse(await again.json()).id, job.id);

  const otherUser = await server.request('/v1/jobs', {
    ...postJson(submission()),
    headers: { authorization: `Bearer ${server.otherKey}`, 'content-type': 'application/json', 'idempotency-key': 'run-1' },
  });
  assert.equal(otherUser.status, 201);
  assert.notEqual(Job.parse(await otherUser.json()).id, job.id);

  const fresh = await server.request('/v1/jobs', postJson(submission()));
  assert.equal(fresh.status, 201);
  const tooLong = await server.request('/v1/jobs', postJson(submission(), { 'idempotency-key': 'k'.repeat(201) }));
  await expectProblem(tooLong, 400, PROBLEM_TYPES.invalidRequest);
});

test('a job reply carries the wire fields only', async (t) => {
  const server = await startTestServer(t);
  const job = await createJob(server);
  const body = (await (await server.request(`/v1/jobs/${job.id}`)).json()) as Record<string, unknown>;
  // Optional: `metrics` (finished eval jobs) and `cost_by_model` (once the job has made a call).
  const optional = ['metrics', 'cost_by_model'];
  assert.deepEqual(
    Object.keys(body)
      .filter((key) => !optional.includes(key))
      .sort(),
    Object.keys(Job.shape)
      .filter((key) => !optional.includes(key))
      .sort(),
  );
  assert.ok(
    Object.keys(body).every((key) => key in Job.shape),
    Object.keys(body).join(', '),
  );
});

test('jobs list newest first in pages, filtered by status, and only the caller’s', async (t) => {
  const server = await startTestServer(t);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await createJob(server)).id);
  await createJob(server, server.otherKey);
  await server.store.setJobStatus(ids[1]!, 'running', { started: true });
  await server.store.setJobStatus(ids[3]!, 'failed', { finished: true, error: 'no quota' });

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const response: Response = await server.request(`/v1/jobs?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    const page = JobList.parse(await response.json());
    assert.ok(page.jobs.length <= 2);
    seen.push(...page.jobs.map((job) => job.id));
    cursor = page.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, [...ids].reverse());

  const filtered = JobList.parse(await (await server.request('/v1/jobs?status=running,failed')).json());
  assert.deepEqual(
    filtered.jobs.map((job) => job.id),
    [ids[3], ids[1]],
  );
  const repeated = JobList.parse(await (await server.request('/v1/jobs?status=running&status=failed')).json());
  assert.deepEqual(
    repeated.jobs.map((job) => job.id),
    [ids[3], ids[1]],
  );

  await expectProblem(await server.request('/v1/jobs?status=runing'), 400, PROBLEM_TYPES.invalidRequest);
  await expectProblem(await server.request('/v1/jobs?limit=0'), 400, PROBLEM_TYPES.invalidRequest);
  await expectProblem(await server.request('/v1/jobs?limit=201'), 400, PROBLEM_TYPES.invalidRequest);
  await expectProblem(await server.request('/v1/jobs?limit=two'), 400, PROBLEM_TYPES.invalidRequest);
  const badCursor = await expectProblem(await server.request('/v1/jobs?cursor=garbage'), 400, PROBLEM_TYPES.invalidRequest);
  assert.match(badCursor.detail!, /cursor/);
});

test('another user’s job, an unknown job and an unknown route are all 404', async (t) => {
  const server = await startTestServer(t);
  const job = await createJob(server);
  const asGrace = { headers: { authorization: `Bearer ${server.otherKey}` } };
  for (const path of [`/v1/jobs/${job.id}`, `/v1/jobs/${job.id}/events`, `/v1/jobs/${job.id}/results`]) {
    await expectProblem(await server.request(path, asGrace), 404, PROBLEM_TYPES.notFound);
  }
  await expectProblem(await server.request(`/v1/jobs/${job.id}/cancel`, { method: 'POST', ...asGrace }), 404, PROBLEM_TYPES.notFound);
  await expectProblem(await server.request('/v1/jobs/job_nope'), 404, PROBLEM_TYPES.notFound);
  const unknown = await expectProblem(await server.request('/v1/nothing-here'), 404, PROBLEM_TYPES.notFound);
  assert.equal(unknown.instance, '/v1/nothing-here');
  await expectProblem(await server.request('/v1/health', { method: 'DELETE' }), 404, PROBLEM_TYPES.notFound);
  assert.equal((await server.jobs.get('ada', job.id)).status, 'queued');
});

test('cancel and retry answer the job, and 409 when the job is in the wrong state', async (t) => {
  const server = await startTestServer(t);
  const job = await createJob(server);
  await expectProblem(await server.request(`/v1/jobs/${job.id}/retry`, { method: 'POST' }), 409, PROBLEM_TYPES.conflict);
  const cancelled = await server.request(`/v1/jobs/${job.id}/cancel`, { method: 'POST' });
  assert.equal(cancelled.status, 200);
  assert.equal(Job.parse(await cancelled.json()).status, 'cancelled');
  const conflict = await expectProblem(await server.request(`/v1/jobs/${job.id}/cancel`, { method: 'POST' }), 409, PROBLEM_TYPES.conflict);
  assert.match(conflict.detail!, /already cancelled/);
  const retried = await server.request(`/v1/jobs/${job.id}/retry`, { method: 'POST' });
  assert.equal(Job.parse(await retried.json()).status, 'queued');
});

test('an unexpected failure is a generic 500; its stack goes to the log, and no key ever reaches the log', async (t) => {
  const server = await startTestServer(t);
  server.jobs.failModels = true;
  const problem = await expectProblem(await server.request('/v1/models'), 500, PROBLEM_TYPES.internal);
  assert.doesNotMatch(problem.detail!, /price table/);
  assert.ok(
    server.logs.some((line) => line.includes('the price table is corrupt') && line.includes('at ')),
    'stack logged',
  );

  await fetch(`${server.url}/v1/health`, { headers: { authorization: `Bearer ${server.key}-wrong` } });
  await server.request('/v1/jobs', postJson(submission()));
  assert.ok(server.logs.some((line) => line.startsWith('GET /v1/models 500')));
  assert.ok(server.logs.some((line) => line.startsWith('GET /v1/health 401')));
  assert.ok(server.logs.some((line) => line.startsWith('POST /v1/jobs 201') && line.endsWith('user=ada')));
  for (const line of server.logs) {
    assert.ok(!line.includes(server.key) && !line.includes(server.key.slice(3, 20)), `a key in the log: ${line}`);
  }
});
