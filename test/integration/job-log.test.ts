// What a job's log says when its calls fail: progress counts failed interviews apart from done ones, and the
// retries name the model as the survey does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/server';
import { FieldworkClient } from '../../src/client';
import { waitForJob } from '../support/jobs';

let dataDir: string;
let server: RunningServer;
let client: FieldworkClient;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-job-log-'));
  server = await startServer({ dataDir, port: 0, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } });
  client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
});
after(async () => {
  await client.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a job whose only interview failed: "0 / 1 interviews done, 1 failed", and retries of `test` say "test"', async () => {
  const text = [
    'name: Always failing',
    'models: [{ model: test, failure_rate: 1 }]',
    'questions:',
    '  - { question_name: q, question_type: yes_no, question_text: "Yes?" }',
  ].join('\n');
  const job = await waitForJob(client, (await client.submitJob({ source: { name: 'fail.survey.yaml', text }, files: {} })).id);
  assert.equal(job.status, 'failed');
  assert.equal(job.progress.interviews_done, 0);
  const { events } = await client.eventPage(job.id, { after: 0, limit: 1000 });
  const progress = events.filter((event) => event.type === 'progress').map((event) => event.message);
  assert.ok(progress.length > 0);
  assert.match(progress.at(-1)!, /^0 \/ 1 interviews done, 1 failed, /);
  assert.ok(!progress.some((message) => message.startsWith('1 / 1 interviews')), progress.join('\n'));
  const retried = events.filter((event) => event.type === 'retried').map((event) => event.message);
  assert.ok(retried.length > 0, events.map((event) => `${event.type}: ${event.message}`).join('\n'));
  assert.match(retried[0]!, /^test: retrying in /);
  assert.ok(
    events.every((event) => !event.message.includes('test/test')),
    'the lane name never shows',
  );
});
