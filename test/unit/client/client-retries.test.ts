import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FieldworkClient } from '../../../src/client/client';
import { ConnectionError, RateLimitedError, ServerError, TimeoutError } from '../../../src/client/errors';
import { backoffDelay, parseRetryAfter } from '../../../src/client/retry';
import { aJob, json, problem, startWireServer, type WireServer } from './wire-server';

const KEY = 'fw_test_key_0000000000';
const submission = { source: { name: 'a.survey.yaml', text: 'questions: []' } };

describe('retries, timeouts and aborts', () => {
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
    client = new FieldworkClient({ baseUrl: server.url, apiKey: KEY, retries: 3, timeoutMs: 5_000 });
  });

  it('retries a GET after 503 and 429, waiting as Retry-After says', async () => {
    server.route('GET /v1/jobs/job_1', [
      (_req, res) => problem(res, 503, 'busy', {}, { 'retry-after': '0.2' }),
      (_req, res) => problem(res, 429, 'slow down', {}, { 'retry-after': '0.1' }),
      (_req, res) => json(res, 200, aJob()),
    ]);
    const started = Date.now();
    const job = await client.getJob('job_1');
    const took = Date.now() - started;
    assert.equal(job.id, 'job_1');
    assert.equal(server.requests.length, 3);
    assert.ok(took >= 290, `waited ${took} ms, expected at least the 300 ms Retry-After asked for`);
  });

  it('accepts Retry-After as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:02 GMT', now), 2000);
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it('backs off exponentially with jitter, up to a cap', () => {
    const policy = { baseMs: 100, capMs: 1_000 };
    assert.equal(
      backoffDelay(0, policy, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(2, policy, () => 1),
      400,
    );
    assert.equal(
      backoffDelay(10, policy, () => 1),
      1_000,
    );
    assert.equal(
      backoffDelay(2, policy, () => 0),
      200,
    );
  });

  it('gives up after the configured number of retries', async () => {
    server.route('GET /v1/jobs/job_1', (_req, res) => problem(res, 503, 'busy', {}, { 'retry-after': '0' }));
    await assert.rejects(client.getJob('job_1'), ServerError);
    assert.equal(server.requests.length, 4);
  });

  it('does not retry a 500 (not a transient status)', async () => {
    server.route('GET /v1/jobs/job_1', (_req, res) => problem(res, 500, 'bug'));
    await assert.rejects(client.getJob('job_1'), ServerError);
    assert.equal(server.requests.length, 1);
  });

  it('retries a job submission with the same idempotency key', async () => {
    server.route('POST /v1/jobs', [(_req, res) => problem(res, 502, 'proxy', {}, { 'retry-after': '0' }), (_req, res) => json(res, 201, aJob())]);
    await client.submitJob(submission);
    assert.equal(server.requests.length, 2);
    const [first, second] = server.requests;
    assert.ok(first!.headers['idempotency-key']);
    assert.equal(first!.headers['idempotency-key'], second!.headers['idempotency-key']);
  });

  it('retries estimate and cancel, which are safe to repeat', async () => {
    const estimate = {
      interviews: 1,
      models: [],
      total: { calls: 0, cached_calls: 0, input_tokens: 0, output_tokens: { low: 0, expected: 0, high: 0 }, usd: null },
      notes: [],
    };
    server.route('POST /v1/estimates', [(_req, res) => problem(res, 503, 'busy', {}, { 'retry-after': '0' }), (_req, res) => json(res, 200, estimate)]);
    server.route('POST /v1/jobs/job_1/cancel', [
      (_req, res) => problem(res, 504, 'gateway', {}, { 'retry-after': '0' }),
      (_req, res) => json(res, 200, aJob()),
    ]);
    await client.estimate(submission);
    await client.cancelJob('job_1');
    assert.equal(server.requests.length, 4);
  });

  it('never retries POST /retry, which is not idempotent', async () => {
    server.route('POST /v1/jobs/job_1/retry', (_req, res) => problem(res, 503, 'busy', {}, { 'retry-after': '0' }));
    await assert.rejects(client.retryJob('job_1'), ServerError);
    assert.equal(server.requests.length, 1);
  });

  it('does not wait past the deadline for a long Retry-After', async () => {
    const quick = new FieldworkClient({ baseUrl: server.url, apiKey: KEY, retries: 3, timeoutMs: 500 });
    server.route('GET /v1/jobs/job_1', (_req, res) => problem(res, 429, 'slow down', {}, { 'retry-after': '60' }));
    const started = Date.now();
    await assert.rejects(quick.getJob('job_1'), RateLimitedError);
    assert.ok(Date.now() - started < 400);
    assert.equal(server.requests.length, 1);
  });

  it('retries after the connection drops, then reports a ConnectionError', async () => {
    server.route('GET /v1/jobs/job_1', (_req, res) => void res.socket?.destroy());
    const patient = new FieldworkClient({ baseUrl: server.url, apiKey: KEY, retries: 2 });
    await assert.rejects(patient.getJob('job_1'), ConnectionError);
    assert.equal(server.requests.length, 3);
  });

  it('throws a TimeoutError when the server does not answer in time', async () => {
    server.route('GET /v1/jobs/job_1', () => {
      /* never answers */
    });
    const impatient = new FieldworkClient({ baseUrl: server.url, apiKey: KEY });
    const started = Date.now();
    await assert.rejects(impatient.getJob('job_1', { timeoutMs: 150 }), (error: unknown) => {
      assert.ok(error instanceof TimeoutError);
      assert.match(error.message, /timed out after 150 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 1_000);
  });

  it('stops at once when the caller aborts, with the abort reason', async () => {
    const controller = new AbortController();
    // Never answers; the caller gives up once the request is there (a timer raced the request on a loaded machine).
    server.route('GET /v1/jobs/job_1', () => controller.abort());
    const started = Date.now();
    await assert.rejects(client.getJob('job_1', { signal: controller.signal }), { name: 'AbortError' });
    assert.ok(Date.now() - started < 1_000);
    assert.equal(server.requests.length, 1);
  });

  it('stops waiting between retries when the caller aborts', async () => {
    server.route('GET /v1/jobs/job_1', (_req, res) => problem(res, 503, 'busy', {}, { 'retry-after': '3' }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await assert.rejects(client.getJob('job_1', { signal: controller.signal }), { name: 'AbortError' });
    assert.ok(Date.now() - started < 1_000);
  });

  it('gives a long poll its wait on top of the timeout', async () => {
    server.route('GET /v1/jobs/job_1/events', (req, res) => {
      setTimeout(() => json(res, 200, { events: [], last_event_id: Number(req.query.get('after')), done: false }), 300);
    });
    const page = await client.eventPage('job_1', { after: 4, wait: 1 }, { timeoutMs: 200 });
    assert.equal(page.last_event_id, 4);
    assert.equal(server.requests[0]!.query.get('wait'), '1');
  });
});
