// A real job through the real server, its service an OpenAI-compatible endpoint: the mock provider over loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Result } from '../../src/api';
import { waitForJob } from '../support/jobs';
import { startMockJobServer, type MockJobServer } from '../support/mock-job-server';

let running: MockJobServer;

before(async () => {
  // 360 per minute over 1-second windows: 6 a second, so twelve calls meet the limit at least once.
  running = await startMockJobServer(
    { limits: { requests_per_minute: 360, tokens_per_minute: 1_000_000 }, mode: 'window-1s', latency: { ttft_ms: 5, per_token_ms: 0, tail_probability: 0 } },
    'mock',
  );
});

after(() => running?.close());

test('a job against the rate-limited mock provider completes, every answer valid, nothing admitted twice', async () => {
  const text = [
    'name: Mock',
    'agents: [{ name: ann, traits: { age: 30 } }, { name: bob, traits: { age: 60 } }]',
    'scenarios: [{ fruit: apple }, { fruit: pear }, { fruit: plum }, { fruit: fig }, { fruit: kiwi }, { fruit: lime }]',
    'models: [{ model: mock/mock-1, max_tokens: 50 }]',
    'questions:',
    '  - { question_name: thoughts, question_type: free_text, question_text: "What do you think of {{ fruit }}?" }',
  ].join('\n');
  const submitted = await running.client.submitJob({ source: { name: 'mock.survey.yaml', text }, files: {} });
  const job = await waitForJob(running.client, submitted.id, { timeoutMs: 30_000 });
  assert.equal(job.status, 'completed');
  const results: Result[] = [];
  for await (const result of running.client.allResults(job.id)) results.push(result);
  assert.equal(results.length, 12);
  for (const result of results) assert.ok(result.answer !== null && result.error === null, JSON.stringify(result));
  const stats = running.mock.engine.stats;
  assert.equal(stats.admitted, 12, 'each call admitted once');
});
