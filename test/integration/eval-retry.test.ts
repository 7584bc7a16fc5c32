// An eval cancelled half-way and retried: the retry runs only the samples that had not finished, keeps the
// finished ones as they were, and the merged metrics are those of all the results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startServer } from '../../src/server/server';
import { FieldworkClient } from '../../src/client';
import type { Result } from '../../src/api';
import { waitForJob } from '../support/jobs';

const SAMPLES = 60;
const text = [
  'name: Retry',
  'dataset:',
  ...Array.from({ length: SAMPLES }, (_, i) => `  - { id: s${i}, input: "What is ${i} + 1?", target: ${i + 1} }`),
  'models: [{ model: test, latency_ms: 40 }]',
  'epochs: 2',
  'scorers:',
  '  - { type: match, numeric: true }',
  '  - { type: model_graded }',
].join('\n');

test('retry of a cancelled eval scores only the missing samples; merged metrics are right', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-eval-retry-'));
  const server = await startServer({ dataDir, port: 0, interviewsInFlight: 2 });
  try {
    const client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
    const job = await client.submitJob({ source: { name: 'retry.eval.yaml', text }, files: {} });
    await waitForJob(client, job.id, { until: (j) => j.progress.interviews_done >= 20, timeoutMs: 90_000 });
    await client.cancelJob(job.id);
    const cancelled = await waitForJob(client, job.id, { timeoutMs: 90_000 });
    assert.equal(cancelled.status, 'cancelled');
    const doneBefore = cancelled.progress.interviews_done;
    assert.ok(doneBefore < SAMPLES * 2, 'the cancel landed mid-way');
    const before = new Map<number, Result>();
    for await (const result of client.allResults(job.id)) before.set(result.interview, result);
    assert.equal(before.size, doneBefore);
    const partial = await client.metrics(job.id);
    assert.ok((partial[0]?.n ?? 0) > 0 && (partial[0]?.n ?? 0) <= SAMPLES);

    await client.retryJob(job.id);
    const retried = await waitForJob(client, job.id, { timeoutMs: 90_000 });
    assert.equal(retried.status, 'completed', retried.error ?? '');
    assert.equal(retried.progress.interviews_done, SAMPLES * 2);

    const after: Result[] = [];
    for await (const result of client.allResults(job.id)) after.push(result);
    assert.equal(after.length, SAMPLES * 2, 'every (sample, epoch) once');
    for (const result of after) {
      const earlier = before.get(result.interview);
      if (earlier) assert.deepEqual(result, earlier, `interview ${result.interview} was kept as it was`);
    }
    // No call reached the provider twice: the retry ran only what was missing (in-flight calls cut by the cancel
    // were stored and are answered from the cache).
    await server.close();
    const db = new DatabaseSync(join(dataDir, 'fieldwork.db'), { readOnly: true });
    const ledger = db.prepare('SELECT COUNT(*) AS calls, MAX(calls) AS most FROM call_cache').get() as { calls: number; most: number };
    db.close();
    assert.equal(ledger.most, 1);
    assert.equal(ledger.calls, SAMPLES * 2 * 2, 'one answer and one grader call per (sample, epoch)');

    // Merged metrics, by hand: per sample the mean over its 2 epochs, then mean and stderr over samples.
    for (const scorer of ['match', 'model_graded']) {
      const bySample = new Map<string, number[]>();
      for (const r of after) bySample.set(r.sample_id!, [...(bySample.get(r.sample_id!) ?? []), r.scores![scorer]!.value!]);
      const perSample = [...bySample.values()].map(([a, b]) => (a! + b!) / 2);
      const mean = perSample.reduce((s, v) => s + v, 0) / SAMPLES;
      const stderr = Math.sqrt(perSample.reduce((s, v) => s + (v - mean) ** 2, 0) / (SAMPLES - 1)) / Math.sqrt(SAMPLES);
      const metric = retried.metrics?.find((m) => m.scorer === scorer);
      assert.ok(metric);
      assert.equal(metric.n, SAMPLES);
      assert.equal(metric.failed, 0);
      assert.ok(Math.abs(metric.value! - mean) < 1e-12 && Math.abs(metric.stderr! - stderr) < 1e-12, `${scorer}: ${JSON.stringify(metric)}`);
    }
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
