// A server killed with SIGKILL mid-job and started again finishes the job with exactly the expected results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { FieldworkClient } from '../../src/client';
import { serve } from '../support/processes';
import { waitForJob } from '../support/jobs';

const INTERVIEWS = 40 * 60;
const QUESTIONS = 3;

const survey = [
  'name: Crash test',
  'agents:',
  ...Array.from({ length: 40 }, (_, i) => `  - { traits: { id: ${i} } }`),
  'scenarios:',
  ...Array.from({ length: 60 }, (_, i) => `  - { topic: topic ${i} }`),
  'models: [{ model: test, latency_ms: 60 }]',
  'questions:',
  '  - { question_name: a, question_type: yes_no, question_text: "Is {{ topic }} good?" }',
  '  - { question_name: b, question_type: linear_scale, question_text: "Rate {{ topic }}", question_options: [1, 2, 3, 4, 5] }',
  '  - { question_name: c, question_type: free_text, question_text: "Why, about {{ topic }}?", memory: all }',
].join('\n');

// The test model at a price, so that what the job paid shows on its rows.
const config = ['services:', '  - { name: test, provider: test, prices: { test: { input_per_mtok: 3, output_per_mtok: 15 } } }'].join('\n');

test('SIGKILL mid-job, restart: the job completes with every result once and no call billed twice', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-crash-'));
  const configFile = join(dataDir, 'services.yaml');
  writeFileSync(configFile, config);
  try {
    const first = await serve(dataDir, ['--config', configFile]);
    const client1 = new FieldworkClient({ baseUrl: first.url, apiKey: first.apiKey });
    const submitted = await client1.submitJob({ source: { name: 'crash.survey.yaml', text: survey }, files: {} });
    const midway = await waitForJob(client1, submitted.id, { until: (job) => job.progress.interviews_done >= INTERVIEWS * 0.25, timeoutMs: 60_000 });
    assert.ok(midway.progress.interviews_done < INTERVIEWS, 'the kill lands mid-job');
    await first.stop('SIGKILL');

    const second = await serve(dataDir, ['--config', configFile]);
    const client2 = new FieldworkClient({ baseUrl: second.url, apiKey: second.apiKey });
    const job = await waitForJob(client2, submitted.id, { timeoutMs: 90_000 });
    assert.equal(job.status, 'completed', job.error ?? '');
    assert.equal(job.progress.interviews_total, INTERVIEWS);
    assert.equal(job.progress.interviews_done, INTERVIEWS);
    assert.equal(job.progress.interviews_failed, 0);

    const seen = new Set<string>();
    const interviews = new Set<number>();
    let rowsUsd = 0;
    for await (const result of client2.allResults(submitted.id)) {
      const key = `${result.interview}/${result.question}`;
      assert.ok(!seen.has(key), `result ${key} appears twice`);
      seen.add(key);
      interviews.add(result.interview);
      assert.equal(result.status, 'answered');
      rowsUsd += result.cost_usd ?? 0;
    }
    assert.equal(seen.size, INTERVIEWS * QUESTIONS, 'no result lost');
    assert.equal(interviews.size, INTERVIEWS);
    // Calls paid for before the kill and answered from the cache after it carry their cost on their rows.
    assert.ok(job.cost.usd > 0);
    assert.ok(Math.abs(rowsUsd - job.cost.usd) <= job.cost.usd * 1e-9, `the rows add up to $${rowsUsd}, the job cost $${job.cost.usd}`);
    assert.deepEqual(
      job.cost_by_model?.map((m) => [m.model, m.calls, m.cached_calls]),
      [['test', INTERVIEWS * QUESTIONS, 0]],
      'each call is counted once, by the interview that paid for it',
    );

    const page = await client2.eventPage(submitted.id, { after: 0, limit: 1000 });
    const types = page.events.map((event) => event.type);
    assert.ok(types.includes('resumed'), 'the log says the job resumed');
    assert.equal(types.filter((type) => type === 'completed').length, 1);
    await second.stop();

    // The call ledger: every distinct call reached the provider once, and the job paid for each exactly once.
    const db = new DatabaseSync(join(dataDir, 'fieldwork.db'), { readOnly: true });
    const ledger = db.prepare('SELECT COUNT(*) AS calls, MAX(calls) AS most, SUM(input_tokens) AS input FROM call_cache').get() as {
      calls: number;
      most: number;
      input: number;
    };
    db.close();
    assert.equal(ledger.most, 1, 'no stored call was sent to the provider again');
    assert.equal(ledger.calls, INTERVIEWS * QUESTIONS);
    assert.equal(job.cost.input_tokens, ledger.input, 'the job was billed once for every call');
  } finally {
    if (process.env.KEEP) console.log('KEPT', dataDir);
    else rmSync(dataDir, { recursive: true, force: true });
  }
});
