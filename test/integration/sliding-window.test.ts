// A real job through the real server against a provider that counts differently from the one the scheduler was
// first tuned to: requests over a sliding 1 s window, reported per minute, reset when the oldest call leaves, and
// `retry-after-ms` on a 429. No call may be lost to rate limits, and the 429s stay few.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Result } from '../../src/api';
import { waitForJob } from '../support/jobs';
import { startMockJobServer, type MockJobServer } from '../support/mock-job-server';

let running: MockJobServer;

before(async () => {
  // 600 a minute, counted as 10 in any second; `remaining` says it per minute (60 times what is left of the second).
  running = await startMockJobServer(
    {
      limits: { requests_per_minute: 600, tokens_per_minute: 1_000_000 },
      enforcement: {
        requests: { kind: 'sliding-log', window_s: 1, remaining_units: 'per-minute', reset: 'oldest' },
        tokens: { kind: 'sliding-log', window_s: 60, remaining_units: 'per-minute', reset: 'oldest' },
      },
      retry_after: 'ms',
      latency: { ttft_ms: 30, per_token_ms: 0, tail_probability: 0 },
    },
    'sliding',
  );
});

after(() => running?.close());

test('a job against a sliding-window provider that reports per minute completes with no call lost and few 429s', async () => {
  const fruits = Array.from({ length: 30 }, (_, i) => `{ fruit: fruit${i} }`).join(', ');
  const text = [
    'name: Sliding',
    'agents: [{ name: ann, traits: { age: 30 } }, { name: bob, traits: { age: 60 } }]',
    `scenarios: [${fruits}]`,
    'models: [{ model: mock/mock-1, max_tokens: 50 }]',
    'fresh: true',
    'questions:',
    '  - { question_name: thoughts, question_type: free_text, question_text: "What do you think of {{ fruit }}?" }',
  ].join('\n');
  const submitted = await running.client.submitJob({ source: { name: 'sliding.survey.yaml', text }, files: {} });
  const job = await waitForJob(running.client, submitted.id, { timeoutMs: 60_000 });
  assert.equal(job.status, 'completed');
  const results: Result[] = [];
  for await (const result of running.client.allResults(job.id)) results.push(result);
  assert.equal(results.length, 60);
  const failed = results.filter((result) => result.answer === null || result.error !== null);
  assert.equal(failed.length, 0, JSON.stringify(failed[0]));
  const stats = running.mock.engine.stats;
  assert.equal(stats.admitted, 60, 'each call admitted once');
  // A storm sent 54 for these 60 calls. The simulated benchmark holds such a provider under 2 per 100 calls; in real
  // time a loaded machine delays replies and wake-ups (12–17 seen at a load of 14, 4–8 on a quiet machine), so the
  // bound here is what tells a paced lane from a storm, not the benchmark's figure.
  assert.ok(stats.rejected <= 30, `${stats.rejected} 429s for 60 calls`);
  const log: string[] = [];
  for await (const event of running.client.events(job.id)) log.push(event.message);
  assert.ok(
    log.some((line) => /requests-per-minute: remaining falls .* model dropped/.test(line)),
    log.join('\n'),
  );
});
