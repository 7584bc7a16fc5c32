// Evals end to end on the real server core over loopback: submit, run, score, metrics; estimates; refusals.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/server';
import { FieldworkClient, ValidationError, submissionFromFile } from '../../src/client';
import type { Result } from '../../src/api';
import { ROOT } from '../support/processes';
import { waitForJob } from '../support/jobs';

async function resultsOf(client: FieldworkClient, id: string): Promise<Result[]> {
  const results: Result[] = [];
  for await (const result of client.allResults(id)) results.push(result);
  return results;
}

describe('evals on the job server', () => {
  let dataDir: string;
  let server: RunningServer;
  let client: FieldworkClient;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-eval-'));
    server = await startServer({ dataDir, port: 0, maxRunningJobs: 2, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } });
    client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
  });
  after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the arithmetic example runs (sample × model × epoch) and its metrics match its results', async () => {
    const job = await client.submitJob(submissionFromFile(join(ROOT, 'examples', 'arithmetic.eval.yaml')));
    assert.equal(job.kind, 'eval');
    assert.equal(job.progress.interviews_total, 8 * 3);
    const done = await waitForJob(client, job.id);
    assert.equal(done.status, 'completed', done.error ?? '');
    const results = await resultsOf(client, job.id);
    assert.equal(results.length, 24);
    for (const result of results) {
      assert.ok(result.sample_id && result.epoch && result.epoch >= 1 && result.epoch <= 3);
      assert.ok(result.raw !== null && /^\d+$/.test(result.raw), `test model gives a number: ${result.raw}`);
      const match = result.scores?.['match'];
      assert.ok(match && (match.value === 0 || match.value === 1));
    }
    // Reduce by hand: mean over epochs per sample, then mean over samples.
    const bySample = new Map<string, number[]>();
    for (const r of results) bySample.set(r.sample_id!, [...(bySample.get(r.sample_id!) ?? []), r.scores!['match']!.value!]);
    const perSample = [...bySample.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
    const value = perSample.reduce((a, b) => a + b, 0) / perSample.length;
    const sd = Math.sqrt(perSample.reduce((a, b) => a + (b - value) ** 2, 0) / (perSample.length - 1));
    const [metric] = done.metrics ?? [];
    assert.ok(metric);
    assert.deepEqual(
      { ...metric, value: Number(metric.value!.toFixed(12)), stderr: Number(metric.stderr!.toFixed(12)) },
      {
        model: 'test',
        scorer: 'match',
        metric: 'accuracy',
        value: Number(value.toFixed(12)),
        stderr: Number((sd / Math.sqrt(8)).toFixed(12)),
        n: 8,
        failed: 0,
      },
    );
    assert.deepEqual(await client.metrics(job.id), done.metrics);
  });

  test('multiple choice scored by choice; the test model answers with a letter at chance', async () => {
    const done = await waitForJob(client, (await client.submitJob(submissionFromFile(join(ROOT, 'examples', 'capitals.eval.yaml')))).id);
    assert.equal(done.status, 'completed', done.error ?? '');
    const results = await resultsOf(client, done.id);
    assert.ok(results.every((r) => /^ANSWER: [A-D]$/.test(r.raw ?? '') && /^[A-D]$/.test(String(r.answer))));
    assert.equal(done.metrics?.[0]?.n, 5);
  });

  test('a model-graded scorer keeps the grader explanation; the CSV example maps its fields', async () => {
    const graded = await waitForJob(client, (await client.submitJob(submissionFromFile(join(ROOT, 'examples', 'short-answer.eval.yaml')))).id);
    assert.equal(graded.status, 'completed', graded.error ?? '');
    for (const result of await resultsOf(client, graded.id)) {
      const verdict = result.scores?.['model_graded'];
      assert.ok(verdict && (verdict.answer === 'C' || verdict.answer === 'I'));
      assert.ok(verdict.explanation && verdict.explanation.length > 10);
    }
    assert.deepEqual(
      graded.metrics?.map((m) => m.scorer),
      ['model_graded', 'mentions_target'],
    );
    assert.equal(graded.progress.calls_done, 8, 'one answer and one grader call per sample');

    const trivia = await waitForJob(client, (await client.submitJob(submissionFromFile(join(ROOT, 'examples', 'trivia.eval.yaml')))).id);
    assert.equal(trivia.status, 'completed', trivia.error ?? '');
    const results = await resultsOf(client, trivia.id);
    assert.equal(results.length, 5);
    assert.ok(results.every((r) => r.sample_id && /^(geo|sci|lit|art)-\d$/.test(r.sample_id) && (r.target?.length ?? 0) >= 1));
  });

  test('estimates work for evals, and count what is in the cache', async () => {
    const estimate = await client.estimate(submissionFromFile(join(ROOT, 'examples', 'arithmetic.eval.yaml')));
    assert.equal(estimate.interviews, 24);
    assert.equal(estimate.models[0]?.calls, 24);
    assert.equal(estimate.models[0]?.cached_calls, 24, 'the earlier test ran these calls');
    const graded = await client.estimate(submissionFromFile(join(ROOT, 'examples', 'short-answer.eval.yaml')));
    assert.equal(graded.models.length, 2, 'the grader has its own row');
  });

  test('a broken eval is refused with line and column; missing capabilities are refused with the reason', async () => {
    const source = (text: string) => ({ source: { name: 'bad.eval.yaml', text }, files: {} });
    await assert.rejects(client.submitJob(source('dataset:\n  - { input: "2+2?", target: 4 }\nscorers:\n  - exakt\n')), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.issues[0]?.line, 4);
      assert.match(error.issues[0]?.message ?? '', /unknown scorer "exakt". Did you mean "exact"/);
      return true;
    });
    await assert.rejects(
      client.submitJob(source('dataset:\n  - { input: "2+2?", target: 4 }\nscorers:\n  - { type: log_probability }\n')),
      /model "test" cannot be scored by log-probability: service "test" has no evaluate endpoint/,
    );
    await assert.rejects(
      client.submitJob(source('dataset:\n  - { input: "2+2?", target: 4 }\nscorers:\n  - { type: embedding, model: test }\n')),
      /cannot embed text/,
    );
  });
});
