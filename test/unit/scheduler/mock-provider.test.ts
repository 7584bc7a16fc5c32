import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProviderLimiter, admissionCosts } from '../../../src/mock-provider/limiter';
import { mockConfig } from '../../../src/mock-provider/config';
import { goDuration } from '../../../src/mock-provider/wire';
import { startMockProvider } from '../../../src/mock-provider/server';
import { OpenAiProvider } from '../../../src/server/providers/openai';
import { AnthropicProvider } from '../../../src/server/providers/anthropic';
import { ProviderError, type CallRequest } from '../../../src/server/providers/provider';

const limiter = (input: Parameters<typeof mockConfig>[0]) => new ProviderLimiter(mockConfig(input), 0);

test('bucket enforcement: a minute of capacity, refilled continuously, charged at admission and corrected after', () => {
  const l = limiter({ limits: { tokens_per_minute: 6000 } });
  assert.equal(l.admit(0, admissionCosts(1000, 5000)).admitted, true);
  const refused = l.admit(0, admissionCosts(100, 100));
  assert.equal(refused.admitted, false);
  if (!refused.admitted) assert.equal(Math.round(refused.retryAfterMs), 2000, '200 tokens at 100/s');
  l.correct(0, admissionCosts(1000, 5000), admissionCosts(1000, 1000)); // used 2000 of 6000
  assert.equal(l.admit(0, admissionCosts(100, 100)).admitted, true);
});

test('window enforcement: 600 rpm over 1 s windows is 10 a second', () => {
  const l = limiter({ limits: { requests_per_minute: 600 }, mode: 'window-1s' });
  for (let i = 0; i < 10; i++) assert.equal(l.admit(100, admissionCosts(1, 1)).admitted, true);
  const refused = l.admit(100, admissionCosts(1, 1));
  assert.equal(refused.admitted, false);
  if (!refused.admitted) assert.equal(refused.retryAfterMs, 900);
  assert.equal(l.admit(1000, admissionCosts(1, 1)).admitted, true);
});

test('another tenant takes its share; a limit change halves what is admitted', () => {
  const tenant = limiter({ limits: { requests_per_minute: 60 }, mode: 'window-60s', other_tenant_share: 0.5 });
  let admitted = 0;
  for (let i = 0; i < 60; i++) if (tenant.admit(0, admissionCosts(1, 1)).admitted) admitted++;
  assert.equal(admitted, 30);
  const drop = limiter({ limits: { requests_per_minute: 60 }, mode: 'window-60s', limit_changes: [{ at_s: 60, scale: 0.5 }] });
  admitted = 0;
  for (let i = 0; i < 60; i++) if (drop.admit(60_000, admissionCosts(1, 1)).admitted) admitted++;
  assert.equal(admitted, 30);
});

test('Go durations as OpenAI writes them', () => {
  assert.equal(goDuration(12), '12ms');
  assert.equal(goDuration(9816), '9.816s');
  assert.equal(goDuration(360_000), '6m0s');
});

const request = (model = 'mock'): CallRequest => ({
  service: 'mock',
  model,
  parameters: { max_tokens: 100 },
  system: 'You are a careful respondent.',
  user: 'What do you think of the weather?',
  iteration: 0,
  question: { question_name: 'q', question_type: 'free_text', question_text: 'What do you think of the weather?' } as CallRequest['question'],
  attempt: 0,
  signal: new AbortController().signal,
});

test('over HTTP: OpenAI and Anthropic replies, headers and 429s read by the real providers', async () => {
  const mock = await startMockProvider({
    limits: { requests_per_minute: 2, tokens_per_minute: 100_000 },
    latency: { ttft_ms: 1, per_token_ms: 0, tail_probability: 0 },
  });
  try {
    const endpoint = { service: 'mock', baseUrl: `${mock.url}/v1`, apiKey: 'sk-test-1234', headers: {}, timeoutMs: 5000 };
    const openai = new OpenAiProvider(endpoint);
    const reply = await openai.call(request());
    assert.ok(reply.text.length > 0);
    assert.ok(reply.input_tokens > 0 && reply.output_tokens > 0);
    assert.equal(reply.limits?.requests?.limit, 2);
    assert.equal(reply.limits?.requests?.remaining, 1);
    const anthropic = new AnthropicProvider(endpoint);
    const message = await anthropic.call(request());
    assert.ok(message.output_tokens > 0);
    assert.equal(message.limits?.requests?.remaining, 0);
    await assert.rejects(openai.call(request()), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.kind, 'rate_limited');
      assert.ok(error.retryAfterMs !== null && error.retryAfterMs > 0, 'the hint in the message is read');
      assert.match(error.message, /requests per min \(RPM\)/);
      return true;
    });
    await assert.rejects(
      anthropic.call(request()),
      (error: unknown) => error instanceof ProviderError && error.kind === 'rate_limited' && error.retryAfterMs! >= 1000,
    );
    const stats = (await (await fetch(`${mock.url}/_mock/stats`)).json()) as {
      admitted: number;
      rejected: number;
      per_key: Record<string, { admitted: number }>;
    };
    assert.equal(stats.admitted, 2);
    assert.equal(stats.rejected, 2);
    assert.equal(stats.per_key['…1234']?.admitted, 2);
    await openai.close();
    await anthropic.close();
  } finally {
    await mock.close();
  }
});

test('over HTTP: injected overload is overload, not a rate limit', async () => {
  const mock = await startMockProvider({ faults: { overloaded: 1 } });
  try {
    const anthropic = new AnthropicProvider({ service: 'mock', baseUrl: `${mock.url}/v1`, apiKey: null, headers: {}, timeoutMs: 5000 });
    await assert.rejects(anthropic.call(request()), (error: unknown) => error instanceof ProviderError && error.kind === 'overloaded' && error.status === 529);
    await anthropic.close();
  } finally {
    await mock.close();
  }
});
