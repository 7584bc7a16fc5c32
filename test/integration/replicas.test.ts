// Several servers on one PostgreSQL database (src/server/replicas): every route answers on every replica; an event
// stream on one follows a job whose work runs on another, and resumes from Last-Event-ID; a cancel sent to one stops
// the run on another; replicas started at once on an empty database migrate it once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startServer, type RunningServer } from '../../src/server/server';
import { FieldworkClient } from '../../src/client';
import type { JobEvent, Result } from '../../src/api';
import { freshDatabase } from '../support/postgres';
import { waitForJob } from '../support/jobs';

const survey = (name: string, iterations: number): string =>
  [
    `name: ${name}`,
    'scenarios: [{ fruit: apple }, { fruit: pear }, { fruit: plum }]',
    'models: [{ model: test, latency_ms: 30 }]',
    `iterations: ${iterations}`,
    'questions:',
    '  - { question_name: likes, question_type: yes_no, question_text: "Do you like {{ fruit }}?" }',
    '  - { question_name: why, question_type: free_text, question_text: "Why, about {{ fruit }}?" }',
  ].join('\n');

async function replica(t: { after: (fn: () => Promise<void>) => void }, database: string, runs: boolean): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-replica-'));
  const server = await startServer({ dataDir, database, port: 0, interviewsInFlight: 4, resume: runs });
  t.after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return server;
}

async function collect(events: AsyncIterable<JobEvent>, onEvent: (event: JobEvent) => Promise<void> = async () => {}): Promise<JobEvent[]> {
  const seen: JobEvent[] = [];
  for await (const event of events) {
    seen.push(event);
    await onEvent(event);
  }
  return seen;
}

test('an event stream on replica B follows a job run by replica A, live, and resumes from Last-Event-ID', { timeout: 90_000 }, async (t) => {
  const database = await freshDatabase();
  const a = await replica(t, database, true);
  // B runs nothing: whatever runs the job is A.
  const b = await replica(t, database, false);
  const onB = new FieldworkClient({ baseUrl: b.url, apiKey: b.apiKey });
  const onA = new FieldworkClient({ baseUrl: a.url, apiKey: a.apiKey });

  const job = await onB.submitJob({ source: { name: 'fruit.survey.yaml', text: survey('Fruit', 30) }, files: {} });
  let statusAtFirstProgress: string | null = null;
  const streamed = await collect(onB.events(job.id), async (event) => {
    if (event.type === 'progress' && statusAtFirstProgress === null) statusAtFirstProgress = (await onB.getJob(job.id)).status;
  });
  assert.equal(statusAtFirstProgress, 'running', 'progress reached B while the job ran on A');
  const types = streamed.map((e) => e.type);
  assert.deepEqual(
    types.filter((type) => type !== 'progress'),
    ['queued', 'started', 'completed'],
  );
  assert.ok(types.filter((type) => type === 'progress').length >= 2);
  const stored = (await onA.eventPage(job.id, { after: 0, limit: 10_000 })).events;
  assert.deepEqual(streamed, stored, 'B streamed every stored event once, in order');

  const middle = streamed[Math.floor(streamed.length / 2)]!;
  assert.deepEqual(
    await collect(onB.events(job.id, { after: middle.id })),
    stored.filter((e) => e.id > middle.id),
  );

  const done = await onB.getJob(job.id);
  assert.equal(done.status, 'completed');
  assert.deepEqual(await onA.getJob(job.id), done, 'both replicas answer the same job from the database');
  const results: Result[] = [];
  for await (const result of onB.allResults(job.id)) results.push(result);
  assert.equal(results.length, 180);
  assert.equal((await onB.health()).jobs_running, 0);
});

test('a cancel sent to replica B stops the run on replica A', { timeout: 90_000 }, async (t) => {
  const database = await freshDatabase();
  const a = await replica(t, database, true);
  const b = await replica(t, database, false);
  const onB = new FieldworkClient({ baseUrl: b.url, apiKey: b.apiKey });

  const job = await onB.submitJob({ source: { name: 'long.survey.yaml', text: survey('Long', 200) }, files: {} });
  await waitForJob(onB, job.id, { until: (j) => j.progress.interviews_done >= 8 });
  assert.equal((await onB.health()).jobs_running, 1, 'B counts the job A runs');
  await onB.cancelJob(job.id);
  const cancelled = await waitForJob(onB, job.id);
  assert.equal(cancelled.status, 'cancelled');
  assert.ok(cancelled.progress.interviews_done < 600, 'the run stopped before the end');
  const types = (await onB.eventPage(job.id, { after: 0, limit: 10_000 })).events.map((e) => e.type).filter((type) => type !== 'progress');
  assert.deepEqual(types, ['queued', 'started', 'cancelling', 'cancelled']);
  const later = await new FieldworkClient({ baseUrl: a.url, apiKey: a.apiKey }).getJob(job.id);
  assert.equal(later.progress.interviews_done, cancelled.progress.interviews_done, 'A wrote nothing more of it');
});

test('two replicas started at once on an empty database migrate it once, and both serve it', { timeout: 60_000 }, async (t) => {
  const database = await freshDatabase();
  const [a, b] = await Promise.all([replica(t, database, true), replica(t, database, true)]);
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      rows.map((row) => row.version),
      [1, 2],
    );
  } finally {
    await client.end();
  }
  const onA = new FieldworkClient({ baseUrl: a.url, apiKey: a.apiKey });
  const job = await onA.submitJob({ source: { name: 'fruit.survey.yaml', text: survey('Fruit', 2) }, files: {} });
  const done = await waitForJob(new FieldworkClient({ baseUrl: b.url, apiKey: b.apiKey }), job.id);
  assert.equal(done.status, 'completed');
  assert.equal(done.progress.interviews_done, 6);
});
