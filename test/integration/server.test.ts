// The real server core over loopback HTTP, driven by the shared client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect, type AddressInfo } from 'node:net';
import { startServer, type RunningServer } from '../../src/server/server';
import { FieldworkClient, NotFoundError, ValidationError, FieldworkError } from '../../src/client';
import type { JobEvent, Result } from '../../src/api';
import { waitForJob } from '../support/jobs';

const small = (extra = '', model = 'test') =>
  [
    'name: Small',
    'agents: [{ name: ann, traits: { age: 30 } }, { name: bob, traits: { age: 60 } }]',
    'scenarios: [{ fruit: apple }, { fruit: pear }, { fruit: plum }]',
    `models: [${model}]`,
    'questions:',
    '  - { question_name: likes, question_type: yes_no, question_text: "Do you like {{ fruit }}?" }',
    '  - { question_name: how_much, question_type: linear_scale, question_text: "How much do you like {{ fruit }}?", question_options: [1, 2, 3, 4, 5], skip_if: "likes.answer == \'No\'" }',
    extra,
  ].join('\n');

const submission = (text: string, files: Record<string, string> = {}) => ({ source: { name: 'small.survey.yaml', text }, files });

describe('job server', () => {
  let dataDir: string;
  let server: RunningServer;
  let client: FieldworkClient;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-server-'));
    server = await startServer({ dataDir, port: 0, maxInterviews: 5000, maxRunningJobs: 2, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } });
    client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
  });
  after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('health names the caller and the version', async () => {
    const health = await client.health();
    assert.equal(health.status, 'ok');
    assert.equal(health.user, 'local');
  });

  test('a survey runs to completion with one result per asked or skipped question', async () => {
    const job = await client.submitJob(submission(small()));
    assert.equal(job.progress.interviews_total, 6);
    const done = await waitForJob(client, job.id);
    assert.equal(done.status, 'completed');
    assert.equal(done.progress.interviews_done, 6);
    const results: Result[] = [];
    for await (const result of client.allResults(job.id)) results.push(result);
    assert.equal(results.length, 12);
    for (const result of results.filter((r) => r.question === 'how_much')) {
      const likes = results.find((r) => r.interview === result.interview && r.question === 'likes')!;
      assert.equal(result.status, likes.answer === 'No' ? 'skipped' : 'answered');
    }
    assert.ok(results.every((r) => r.status !== 'answered' || r.answer !== null));
  });

  test('a rerun is answered from the cache at no cost; fresh bypasses the cache', async () => {
    const again = await waitForJob(client, (await client.submitJob(submission(small()))).id);
    assert.equal(again.progress.calls_cached, again.progress.calls_done);
    assert.equal(again.cost.input_tokens, 0);
    const estimate = await client.estimate(submission(small()));
    assert.equal(estimate.total.cached_calls, estimate.total.calls);
    const fresh = await waitForJob(client, (await client.submitJob({ ...submission(small()), fresh: true })).id);
    assert.equal(fresh.progress.calls_cached, 0);
    assert.ok(fresh.cost.input_tokens > 0);
  });

  test('the same idempotency key returns the same job', async () => {
    const first = await client.submitJob(submission(small('', 'test')), { idempotencyKey: 'k-123' });
    const second = await client.submitJob(submission(small('', 'test')), { idempotencyKey: 'k-123' });
    assert.equal(second.id, first.id);
  });

  test('a broken survey is refused with line and column', async () => {
    const text = small().replace('question_options: [1, 2, 3, 4, 5]', 'question_options: [1]');
    await assert.rejects(client.submitJob(submission(text)), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.ok(error.issues.length > 0);
      assert.equal(error.issues[0]!.file, 'small.survey.yaml');
      assert.equal(error.issues[0]!.line, 7);
      return true;
    });
  });

  test('a model the server does not offer is refused, naming what it offers', async () => {
    await assert.rejects(client.submitJob(submission(small('', 'openai/gpt-4o-mini'))), /no service "openai".*test/);
  });

  test('a job over the size limit is refused with its size and the limit', async () => {
    const big = small().replace('scenarios: [{ fruit: apple }, { fruit: pear }, { fruit: plum }]', 'scenarios: data.csv');
    const csv = ['fruit', ...Array.from({ length: 3000 }, (_, i) => `f${i}`)].join('\n');
    await assert.rejects(client.submitJob(submission(big, { 'data.csv': csv })), (error: unknown) => {
      assert.ok(error instanceof FieldworkError);
      assert.equal(error.status, 413, error.message);
      assert.match(error.message, /6,000 interviews.*at most 5,000/);
      return true;
    });
  });

  test("another user's job is not found", async () => {
    const job = await client.submitJob(submission(small()));
    const { key } = await server.store.createApiKey('mallory');
    const other = new FieldworkClient({ baseUrl: server.url, apiKey: key });
    await assert.rejects(other.getJob(job.id), NotFoundError);
    await assert.rejects(other.cancelJob(job.id), NotFoundError);
    assert.equal((await other.listJobs()).jobs.length, 0);
  });

  test('the event stream replays from the start, then follows the job live to its end', async () => {
    const job = await client.submitJob({ ...submission(small('', '{ model: test, latency_ms: 20 }')), fresh: true });
    const events: JobEvent[] = [];
    for await (const event of client.events(job.id)) events.push(event);
    const ids = events.map((e) => e.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    assert.equal(new Set(ids).size, ids.length, 'every event once');
    assert.equal(events[0]!.type, 'queued');
    assert.equal(events.at(-1)!.type, 'completed');
    const resumed: JobEvent[] = [];
    for await (const event of client.events(job.id, { after: ids[1]! })) resumed.push(event);
    assert.deepEqual(
      resumed.map((e) => e.id),
      ids.slice(2),
      'Last-Event-ID resumes after the last event seen',
    );
  });

  test('an event stream cut mid-way reconnects and still sees every event once', async () => {
    // A proxy in front of the real server that cuts the first two connections after some bytes.
    const target = new URL(server.url);
    let connections = 0;
    const proxy = createServer((socket) => {
      const upstream = connect(Number(target.port), target.hostname);
      const cutAfter = ++connections <= 2 ? 400 : Infinity;
      let passed = 0;
      upstream.on('data', (chunk: Buffer) => {
        passed += chunk.length;
        socket.write(chunk);
        if (passed > cutAfter) {
          socket.destroy();
          upstream.destroy();
        }
      });
      socket.on('data', (chunk) => upstream.write(chunk));
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (proxy.address() as AddressInfo).port;
      const viaProxy = new FieldworkClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: server.apiKey });
      const text = small('', '{ model: test, latency_ms: 400 }').replace(
        'scenarios: [{ fruit: apple }, { fruit: pear }, { fruit: plum }]',
        `scenarios: [${Array.from({ length: 40 }, (_, i) => `{ fruit: f${i} }`).join(', ')}]`,
      );
      const job = await client.submitJob({ ...submission(text), fresh: true });
      const seen: number[] = [];
      for await (const event of viaProxy.events(job.id)) seen.push(event.id);
      assert.ok(connections >= 2, `the stream was cut and resumed (${connections} connections)`);
      const stored = await client.eventPage(job.id, { after: 0, limit: 1000 });
      assert.deepEqual(
        seen,
        stored.events.map((event) => event.id),
        'every stored event once, in order',
      );
      await viaProxy.close();
    } finally {
      proxy.close();
    }
  });

  test('a running job can be cancelled; it keeps what it paid for', async () => {
    const text = small('', '{ model: test, latency_ms: 200 }').replace(
      'scenarios: [{ fruit: apple }, { fruit: pear }, { fruit: plum }]',
      `scenarios: [${Array.from({ length: 200 }, (_, i) => `{ fruit: f${i} }`).join(', ')}]`,
    );
    const job = await client.submitJob({ ...submission(text), fresh: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cancelling = await client.cancelJob(job.id);
    assert.ok(['cancelling', 'cancelled'].includes(cancelling.status));
    const done = await waitForJob(client, job.id);
    assert.equal(done.status, 'cancelled');
    assert.ok(done.progress.interviews_done < 400);
  });

  test('a job cancelled before its first call costs nothing', async () => {
    const slow = small('', '{ model: test, latency_ms: 300 }');
    const blockers = [await client.submitJob({ ...submission(slow), fresh: true }), await client.submitJob({ ...submission(slow), fresh: true })];
    const queued = await client.submitJob({ ...submission(small()), fresh: true });
    assert.equal((await client.getJob(queued.id)).status, 'queued');
    const cancelled = await client.cancelJob(queued.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.cost.usd, 0);
    assert.equal(cancelled.cost.input_tokens, 0);
    assert.equal(cancelled.progress.calls_done, 0);
    for (const blocker of blockers) await waitForJob(client, blocker.id);
  });

  test('a partially failed job retried runs only the failed interviews and keeps the rest', async () => {
    // 30 interviews whose calls fail half the time even after a second try: some fail, almost surely.
    const flaky = small('', '{ model: test, failure_rate: 0.7 }').replace(
      'scenarios: [{ fruit: apple }, { fruit: pear }, { fruit: plum }]',
      `scenarios: [${Array.from({ length: 15 }, (_, i) => `{ fruit: f${i} }`).join(', ')}]`,
    );
    const job = await waitForJob(client, (await client.submitJob({ ...submission(flaky), fresh: true })).id);
    assert.ok(['partially_failed', 'failed'].includes(job.status), job.status);
    assert.ok(job.progress.interviews_failed > 0);
    const doneBefore = job.progress.interviews_done;
    let retried = job;
    for (let round = 0; round < 60 && retried.status !== 'completed'; round++) {
      await client.retryJob(job.id);
      retried = await waitForJob(client, job.id);
      assert.ok(retried.progress.interviews_done >= doneBefore, 'finished interviews are kept');
    }
    assert.equal(retried.status, 'completed');
    assert.equal(retried.progress.interviews_done, 30);
    let count = 0;
    const seen = new Set<string>();
    for await (const result of client.allResults(job.id)) {
      count++;
      seen.add(`${result.interview}/${result.question}`);
      assert.notEqual(result.status, 'failed');
    }
    assert.equal(seen.size, count, 'no duplicates after retries');
  });

  test('results export as CSV and JSONL', async () => {
    const job = await waitForJob(client, (await client.submitJob(submission(small()))).id);
    let csv = '';
    await client.downloadResults(job.id, 'csv', (chunk) => (csv += chunk));
    const lines = csv.trim().split(/\r?\n/);
    assert.match(lines[0]!, /^interview,agent_index,agent_name,scenario_index,model,iteration,question,status,answer/);
    assert.equal(lines.length, 13);
    let jsonl = '';
    await client.downloadResults(job.id, 'jsonl', (chunk) => (jsonl += chunk));
    const rows = jsonl
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(rows.length, 12);
    assert.equal(rows[0].job_id, job.id);
  });
});
