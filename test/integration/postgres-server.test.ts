// The job server on a real PostgreSQL database (test/support/postgres.ts): jobs run, stop and resume as on SQLite; a
// data directory moves over with `db copy` and reads the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server/server';
import { FieldworkClient } from '../../src/client';
import type { JobEvent, Result } from '../../src/api';
import { dbPath } from '../../src/server/data-dir';
import { copySqliteToPostgres, TargetNotEmptyError } from '../../src/server/store/postgres/copy';
import { freshDatabase } from '../support/postgres';
import { waitForJob } from '../support/jobs';
import { runCli } from '../support/processes';

const SURVEY = [
  'name: Fruit',
  'agents: [{ name: ann, traits: { age: 30 } }, { name: bob, traits: { age: 60 } }]',
  'scenarios: [{ fruit: apple }, { fruit: pear }, { fruit: plum }]',
  'models: [test]',
  'iterations: 20',
  'questions:',
  '  - { question_name: likes, question_type: yes_no, question_text: "Do you like {{ fruit }}?" }',
  '  - { question_name: why, question_type: free_text, question_text: "Why, about {{ fruit }}?" }',
].join('\n');
const submission = { source: { name: 'fruit.survey.yaml', text: SURVEY }, files: {} };

function tempDir(t: { after: (fn: () => void) => void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function everything(client: FieldworkClient, id: string): Promise<{ results: Result[]; events: JobEvent[] }> {
  const results: Result[] = [];
  for await (const result of client.allResults(id)) results.push(result);
  const { events } = await client.eventPage(id, { after: 0, limit: 10_000 });
  return { results, events };
}

test('a server on PostgreSQL runs a job to the end and resumes after a restart', async (t) => {
  const database = await freshDatabase();
  const dataDir = tempDir(t, 'fieldwork-pg-server-');
  const server = await startServer({ dataDir, database, port: 0 });
  let closed = false;
  t.after(async () => {
    if (!closed) await server.close();
  });
  const client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });

  const job = await client.submitJob(submission);
  const done = await waitForJob(client, job.id);
  assert.equal(done.status, 'completed', done.error ?? '');
  assert.equal(done.progress.interviews_done, 120);
  const first = await everything(client, job.id);
  assert.equal(first.results.length, 240, 'one result per question of each interview, none twice');
  assert.deepEqual(new Set(first.results.map((r) => `${r.interview}:${r.question}`)).size, 240);
  assert.deepEqual(
    first.events.map((e) => e.type).filter((type) => type !== 'progress'),
    ['queued', 'started', 'completed'],
  );
  assert.equal(done.cost_by_model?.[0]?.calls, 240);

  const again = await client.submitJob({ ...submission, source: { ...submission.source, name: 'again.survey.yaml' } });
  const cached = await waitForJob(client, again.id);
  assert.equal(cached.progress.calls_cached, 240, 'the same calls are answered by the cache in PostgreSQL');

  await server.close();
  closed = true;
  const restarted = await startServer({ dataDir, database, port: 0 });
  t.after(() => restarted.close());
  const client2 = new FieldworkClient({ baseUrl: restarted.url, apiKey: restarted.apiKey });
  assert.equal(restarted.apiKey, server.apiKey, "the data directory's key is still known to the database");
  assert.deepEqual(await everything(client2, job.id), first);
});

test('db copy moves keys, jobs, results, events and the cache into PostgreSQL, and the team server reads them the same', async (t) => {
  const dataDir = tempDir(t, 'fieldwork-pg-copy-');
  const sqlite = await startServer({ dataDir, port: 0 });
  const client = new FieldworkClient({ baseUrl: sqlite.url, apiKey: sqlite.apiKey });
  const job = await client.submitJob(submission);
  const done = await waitForJob(client, job.id);
  assert.equal(done.status, 'completed', done.error ?? '');
  const before = await everything(client, job.id);
  const jobBefore = await client.getJob(job.id);
  const cacheBefore = await sqlite.store.cacheStats();
  await sqlite.close();

  const database = await freshDatabase();
  const counts = await copySqliteToPostgres(dbPath(dataDir), database);
  assert.equal(counts.results, 240);
  assert.equal(counts.events, before.events.length);
  assert.equal(counts.call_cache, cacheBefore.entries);
  await assert.rejects(copySqliteToPostgres(dbPath(dataDir), database), TargetNotEmptyError, 'a second copy would mix two servers');

  const team = await startServer({ dataDir, database, port: 0 });
  t.after(() => team.close());
  const teamClient = new FieldworkClient({ baseUrl: team.url, apiKey: sqlite.apiKey });
  assert.deepEqual(await teamClient.getJob(job.id), jobBefore);
  assert.deepEqual(await everything(teamClient, job.id), before);
  assert.deepEqual(await team.store.cacheStats(), cacheBefore);

  const rerun = await teamClient.submitJob({ ...submission, source: { ...submission.source, name: 'rerun.survey.yaml' } });
  const rerunDone = await waitForJob(teamClient, rerun.id);
  assert.equal(rerunDone.progress.calls_cached, 240, 'the copied cache answers the same calls');
  const { events } = await teamClient.eventPage(rerun.id, { after: 0, limit: 10 });
  assert.ok(events[0]!.id > before.events.at(-1)!.id, 'new events are numbered after the copied ones');
});

test('the CLI migrates a team database, creates and lists its keys there, and refuses a URL that is not PostgreSQL', { timeout: 60_000 }, async (t) => {
  const database = await freshDatabase();
  const env = { FIELDWORK_SERVER_URL: '', FIELDWORK_API_KEY: '', FIELDWORK_DATABASE_URL: '' };
  const migrated = await runCli(['migrate', '--database', database], env);
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.match(migrated.stdout, /Applied migrations 1, 2: .* is at schema version 2\./);
  assert.match((await runCli(['migrate', '--database', database], env)).stdout, /Nothing to do/);

  const created = await runCli(['keys', 'create', '--user', 'alice'], { ...env, FIELDWORK_DATABASE_URL: database });
  assert.equal(created.code, 0, created.stderr);
  const aliceKey = created.stdout.trim();
  const listed = await runCli(['keys', 'list', '--json'], { ...env, FIELDWORK_DATABASE_URL: database });
  assert.deepEqual(
    (JSON.parse(listed.stdout) as { user: string }[]).map((key) => key.user),
    ['alice'],
  );

  const server = await startServer({ dataDir: tempDir(t, 'fieldwork-pg-cli-'), database, port: 0 });
  t.after(() => server.close());
  const alice = new FieldworkClient({ baseUrl: server.url, apiKey: aliceKey, retries: 0 });
  assert.equal((await alice.health()).user, 'alice', 'a key made by the CLI in the database is accepted by its server');

  const wrong = await runCli(['migrate', '--database', 'mysql://root:hunter2@db/fieldwork'], env);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--database must be a PostgreSQL URL \(postgres:\/\/user:password@host:5432\/database\)/);
  assert.doesNotMatch(wrong.stderr, /hunter2/, 'a password is never printed');
});
