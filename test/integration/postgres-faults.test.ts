// Faults of a team server's database: PostgreSQL restarted while a job runs. A request during the outage is answered
// 503 with Retry-After (never a 500); the server reconnects by itself and the job completes with every result once
// and every call billed once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server/server';
import { FieldworkClient } from '../../src/client';
import { PROBLEM_TYPES, type Result } from '../../src/api';
import { freshDatabase, postgresCluster } from '../support/postgres';
import { waitForJob } from '../support/jobs';

const SURVEY = [
  'name: Slow fruit',
  'scenarios: [{ fruit: apple }, { fruit: pear }, { fruit: plum }]',
  'models: [{ model: test, latency_ms: 40 }]',
  'iterations: 40',
  'questions:',
  '  - { question_name: likes, question_type: yes_no, question_text: "Do you like {{ fruit }}?" }',
  '  - { question_name: why, question_type: free_text, question_text: "Why, about {{ fruit }}?" }',
].join('\n');

test('PostgreSQL restarted mid-job: 503 during the outage, then the job completes with each result and each call once', { timeout: 120_000 }, async (t) => {
  const cluster = await postgresCluster();
  const database = await freshDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-pg-restart-'));
  const logs: string[] = [];
  const server = await startServer({ dataDir, database, port: 0, interviewsInFlight: 4, log: (line) => logs.push(line) });
  t.after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey, retries: 0 });

  const job = await client.submitJob({ source: { name: 'slow.survey.yaml', text: SURVEY }, files: {} });
  await waitForJob(client, job.id, { until: (j) => j.progress.interviews_done >= 8 });

  cluster.stop();
  const during = await fetch(`${server.url}/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${server.apiKey}` } });
  assert.equal(during.status, 503, await during.clone().text());
  assert.equal(during.headers.get('retry-after'), '5');
  const problem = (await during.json()) as { type: string; detail: string };
  assert.equal(problem.type, PROBLEM_TYPES.unavailable);
  assert.match(problem.detail, /database cannot be reached/);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // the runner meets the outage too
  cluster.start();

  const done = await waitForJob(client, job.id, { timeoutMs: 90_000 });
  assert.equal(done.status, 'completed', `${done.error ?? ''}\n${logs.slice(-20).join('\n')}`);
  assert.equal(done.progress.interviews_done, 120);
  const results: Result[] = [];
  for await (const result of client.allResults(job.id)) results.push(result);
  assert.equal(results.length, 240);
  assert.equal(new Set(results.map((r) => `${r.interview}:${r.question}`)).size, 240, 'no result stored twice');
  const billed = done.cost_by_model?.[0];
  assert.equal(
    (billed?.calls ?? 0) - (billed?.cached_calls ?? 0),
    done.progress.calls_done - done.progress.calls_cached,
    'each call that reached the model billed once',
  );
  assert.equal(done.progress.calls_done, 240);
  const { events } = await client.eventPage(job.id, { after: 0, limit: 10_000 });
  assert.equal(events.filter((e) => e.type === 'completed').length, 1);
  assert.ok(!logs.some((line) => / 500 /.test(line)), 'no request was answered 500');
});
