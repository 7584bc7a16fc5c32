// A real job through the real server, its service an OpenAI-compatible endpoint: the mock provider over loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/server';
import { startMockProvider, type RunningMock } from '../../src/mock-provider/server';
import { FieldworkClient } from '../../src/client';
import type { Result } from '../../src/protocol';
import { waitForJob } from '../support/jobs';

let dataDir: string;
let mock: RunningMock;
let server: RunningServer;
let client: FieldworkClient;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fieldwork-mock-'));
  // 360 per minute over 1-second windows: 6 a second, so twelve calls meet the limit at least once.
  mock = await startMockProvider({ limits: { requests_per_minute: 360, tokens_per_minute: 1_000_000 }, mode: 'window-1s', latency: { ttft_ms: 5, per_token_ms: 0, tail_probability: 0 } });
  server = await startServer({
    dataDir,
    port: 0,
    env: {},
    services: { services: [{ name: 'mock', provider: 'openai', base_url: `${mock.url}/v1`, readiness: false }] },
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
  });
  client = new FieldworkClient({ baseUrl: server.url, apiKey: server.apiKey });
});

after(async () => {
  await server?.close();
  await mock?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a job against the rate-limited mock provider completes, every answer valid, nothing admitted twice', async () => {
  const text = [
    'name: Mock',
    'agents: [{ name: ann, traits: { age: 30 } }, { name: bob, traits: { age: 60 } }]',
    'scenarios: [{ fruit: apple }, { fruit: pear }, { fruit: plum }, { fruit: fig }, { fruit: kiwi }, { fruit: lime }]',
    'models: [{ model: mock/mock-1, max_tokens: 50 }]',
    'questions:',
    '  - { question_name: thoughts, question_type: free_text, question_text: "What do you think of {{ fruit }}?" }',
  ].join('\n');
  const submitted = await client.submitJob({ source: { name: 'mock.survey.yaml', text }, files: {} });
  const job = await waitForJob(client, submitted.id, { timeoutMs: 30_000 });
  assert.equal(job.status, 'completed');
  const results: Result[] = [];
  for await (const result of client.allResults(job.id)) results.push(result);
  assert.equal(results.length, 12);
  for (const result of results) assert.ok(result.answer !== null && result.error === null, JSON.stringify(result));
  const stats = mock.engine.stats;
  assert.equal(stats.admitted, 12, 'each call admitted once');
});
