import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  AuthError,
  ConflictError,
  ConnectionError,
  FieldworkError,
  NotFoundError,
  ProtocolError,
  RateLimitedError,
  ServerError,
  ValidationError,
} from '../../../src/client/errors';
import { FieldworkClient } from '../../../src/client/client';
import { aJob, json, problem, startWireServer, type WireServer } from './wire-server';

const KEY = 'fw_live_SECRETSECRETSECRET';

describe('FieldworkClient requests', () => {
  let server: WireServer;
  let client: FieldworkClient;

  before(async () => {
    server = await startWireServer();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    client = new FieldworkClient({ baseUrl: server.url, apiKey: KEY, retries: 0 });
  });

  it('sends the bearer key and a user agent, and returns the validated reply', async () => {
    server.route('GET /v1/health', (_req, res) => json(res, 200, { status: 'ok', version: '0.1.0', user: 'ada', jobs_running: 0 }));
    const health = await client.health();
    assert.deepEqual(health, { status: 'ok', version: '0.1.0', user: 'ada', jobs_running: 0 });
    assert.equal(server.requests[0]!.headers.authorization, `Bearer ${KEY}`);
    assert.match(String(server.requests[0]!.headers['user-agent']), /^fieldwork-client\//);
  });

  it('unwraps the model list', async () => {
    server.route('GET /v1/models', (_req, res) =>
      json(res, 200, { models: [{ id: 'test', service: 'test', provider: 'test', price: null, capabilities: ['chat'] }] }),
    );
    const models = await client.models();
    assert.equal(models[0]!.id, 'test');
  });

  it('submits a job with a generated idempotency key, or the one given', async () => {
    server.route('POST /v1/jobs', (_req, res) => json(res, 201, aJob()));
    const submission = { source: { name: 'a.survey.yaml', text: 'questions: []' }, files: {} };
    await client.submitJob(submission);
    await client.submitJob(submission, { idempotencyKey: 'my-key' });
    const [first, second] = server.requests;
    assert.match(String(first!.headers['idempotency-key']), /^[0-9a-f-]{36}$/);
    assert.equal(second!.headers['idempotency-key'], 'my-key');
    assert.deepEqual(JSON.parse(first!.body), submission);
    assert.equal(first!.headers['content-type'], 'application/json');
  });

  it('passes list filters as query parameters', async () => {
    server.route('GET /v1/jobs', (_req, res) => json(res, 200, { jobs: [aJob()], next_cursor: 'c2' }));
    const list = await client.listJobs({ status: ['running', 'queued'], limit: 5, cursor: 'c1' });
    assert.equal(list.next_cursor, 'c2');
    const q = server.requests[0]!.query;
    assert.equal(q.get('status'), 'running,queued');
    assert.equal(q.get('limit'), '5');
    assert.equal(q.get('cursor'), 'c1');
  });

  it('escapes job ids in paths and uses the right routes for cancel and retry', async () => {
    server.route('POST /v1/jobs/a%2Fb/cancel', (_req, res) => json(res, 200, aJob({ status: 'cancelling' })));
    server.route('POST /v1/jobs/job_1/retry', (_req, res) => json(res, 200, aJob({ status: 'queued' })));
    assert.equal((await client.cancelJob('a/b')).status, 'cancelling');
    assert.equal((await client.retryJob('job_1')).status, 'queued');
  });

  it('rejects a reply that does not match the schema, naming the endpoint and the field', async () => {
    server.route('GET /v1/jobs/job_1', (_req, res) => json(res, 200, { ...aJob(), progress: { ...aJob().progress, calls_done: 'many' } }));
    await assert.rejects(client.getJob('job_1'), (error: unknown) => {
      assert.ok(error instanceof ProtocolError);
      assert.match(error.message, /GET \/v1\/jobs\/job_1/);
      assert.match(error.message, /progress\.calls_done/);
      return true;
    });
  });

  it('rejects a reply that is not JSON', async () => {
    server.route('GET /v1/health', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>hello</html>');
    });
    await assert.rejects(client.health(), ProtocolError);
  });

  const statuses: [number, new (...args: never[]) => FieldworkError, RegExp][] = [
    [401, AuthError, /FIELDWORK_API_KEY|fieldwork login/],
    [403, AuthError, /rejected the API key/],
    [404, NotFoundError, /No job x/],
    [400, ValidationError, /bad/],
    [409, ConflictError, /job is running/],
    [429, RateLimitedError, /try again/],
    [500, ServerError, /server failed/],
    [503, ServerError, /server failed/],
  ];
  for (const [status, type, message] of statuses) {
    it(`turns a ${status} problem into ${type.name}`, async () => {
      const detail = status === 404 ? 'No job x' : status === 409 ? 'job is running' : 'bad';
      server.route('GET /v1/jobs/x', (_req, res) => problem(res, status, detail));
      await assert.rejects(client.getJob('x'), (error: unknown) => {
        assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
        assert.ok(error instanceof FieldworkError);
        assert.equal(error.status, status);
        assert.match(error.message, message);
        assert.equal(error.problem?.status, status);
        return true;
      });
    });
  }

  it('carries the spec issues of a 422', async () => {
    const issues = [{ file: 'a.survey.yaml', line: 3, column: 5, path: ['questions', 0], message: 'question_text is required' }];
    server.route('POST /v1/jobs', (_req, res) => problem(res, 422, 'The survey is not valid.', { issues }));
    await assert.rejects(client.submitJob({ source: { name: 'a.survey.yaml', text: '' } }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(error.issues, issues);
      assert.match(error.message, /fix the 1 issue/);
      return true;
    });
  });

  it('reads Retry-After on a 429', async () => {
    server.route('GET /v1/jobs/x', (_req, res) => problem(res, 429, 'slow down', {}, { 'retry-after': '7' }));
    await assert.rejects(client.getJob('x'), (error: unknown) => error instanceof RateLimitedError && error.retryAfterMs === 7000);
  });

  it('copes with an error body that is not a problem', async () => {
    server.route('GET /v1/jobs/x', (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<h1>Bad gateway</h1>');
    });
    await assert.rejects(client.getJob('x'), (error: unknown) => error instanceof ServerError && error.problem === undefined);
  });

  it('names the URL and what to do when nothing listens there', async () => {
    const nowhere = new FieldworkClient({ baseUrl: 'http://127.0.0.1:9', apiKey: KEY, retries: 0 });
    await assert.rejects(nowhere.health(), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.match(error.message, /http:\/\/127\.0\.0\.1:9/);
      assert.match(error.message, /fieldwork serve|FIELDWORK_SERVER_URL/);
      return true;
    });
  });

  it('never puts the API key in an error message, even when the server echoes it', async () => {
    const echo = `key ${KEY} is not valid`;
    const errors: unknown[] = [];
    for (const status of [400, 401, 404, 409, 429, 500]) {
      server.route('GET /v1/jobs/x', (_req, res) => problem(res, status, echo));
      errors.push(await client.getJob('x').catch((e: unknown) => e));
    }
    server.route('GET /v1/jobs/x', (_req, res) => json(res, 200, { id: KEY }));
    errors.push(await client.getJob('x').catch((e: unknown) => e));
    const withUserinfo = new FieldworkClient({ baseUrl: `http://user:${KEY}@127.0.0.1:9`, apiKey: KEY, retries: 0 });
    errors.push(await withUserinfo.health().catch((e: unknown) => e));
    for (const error of errors) {
      assert.ok(error instanceof FieldworkError);
      assert.ok(!error.message.includes(KEY), error.message);
      assert.ok(!String(error.stack).includes(KEY));
    }
  });
});
