// The mock provider's zoo: how 429s say when to retry, concurrency limits, presets and random providers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MockConfig, mockConfig, type MockConfigInput } from '../../../src/mock-provider/config';
import { MockEngine, type MockCall, type MockOutcome } from '../../../src/mock-provider/engine';
import { PRESETS, presetConfig, randomProviderConfig } from '../../../src/mock-provider/presets';
import { startMockProvider } from '../../../src/mock-provider/server';
import { OpenAiProvider } from '../../../src/server/providers/openai';
import { ProviderError } from '../../../src/server/providers/provider';
import { retryHintInMessage } from '../../../src/server/providers/rate-limit-headers';

const quick = { ttft_ms: 100, per_token_ms: 0, tail_probability: 0 };
const engine = (input: MockConfigInput) => new MockEngine(mockConfig({ latency: quick, ...input }), 0);
const call = (flavor: MockCall['flavor'] = 'openai', inputTokens = 10): MockCall => ({ flavor, model: 'm', inputTokens, maxTokens: 10, key: 'k' });
type Reply = Extract<MockOutcome, { kind: 'reply' }>;
const reply = (outcome: MockOutcome): Reply => {
  assert.equal(outcome.kind, 'reply');
  return outcome as Reply;
};
const message = (body: unknown): string => (body as { error: { message: string } }).error.message;

test('retry-after forms: seconds rounded up, Azure milliseconds, both, the message only, or nothing', () => {
  const sliding = { limits: { requests_per_minute: 6 }, enforcement: { requests: { kind: 'sliding-log' as const, window_s: 10 } } };
  const expect: Record<string, { seconds?: string; ms?: string; hint: boolean }> = {
    seconds: { seconds: '10', hint: false },
    ms: { ms: '9750', hint: false },
    both: { seconds: '10', ms: '9750', hint: false },
    message: { hint: true },
    none: { hint: false },
  };
  for (const [form, want] of Object.entries(expect)) {
    const mock = engine({ ...sliding, retry_after: form as MockConfig['retry_after'] });
    assert.equal(reply(mock.handle(0, 0, call())).status, 200);
    const refused = reply(mock.handle(250, 0, call()));
    assert.equal(refused.status, 429, form);
    assert.equal(refused.headers['retry-after'], want.seconds, form);
    assert.equal(refused.headers['retry-after-ms'], want.ms, form);
    assert.equal(retryHintInMessage(message(refused.body)), want.hint ? 9750 : null, form);
    assert.match(message(refused.body), /Limit 6, Used 1, Requested 1/, 'the message names the limit');
  }
});

test('unconfigured, 429s say when as each provider does: OpenAI in the message, Anthropic in retry-after', () => {
  const mock = engine({ limits: { requests_per_minute: 60 }, mode: 'window-60s' });
  for (let i = 0; i < 60; i++) mock.handle(0, 0, call());
  const openai = reply(mock.handle(1000, 0, call('openai')));
  assert.equal(openai.headers['retry-after'], undefined);
  assert.equal(retryHintInMessage(message(openai.body)), 59_000);
  const anthropic = reply(mock.handle(1000, 0, call('anthropic')));
  assert.equal(anthropic.headers['retry-after'], '59');
  assert.equal(anthropic.headers['anthropic-ratelimit-requests-remaining'], '0');
});

test('quiet 429s name no limit and no wait, whatever the retry-after form', () => {
  const mock = engine({ limits: { requests_per_minute: 1 }, quiet_rate_limits: true, retry_after: 'message' });
  mock.handle(0, 0, call());
  const refused = reply(mock.handle(0, 0, call()));
  assert.doesNotMatch(message(refused.body), /Limit|try again/);
});

test('reset none: no reset header; per-minute remaining in the headers', () => {
  const mock = engine(presetConfig('azure'));
  const first = reply(mock.handle(0, 0, call()));
  assert.equal(first.headers['x-ratelimit-reset-requests'], undefined);
  assert.equal(first.headers['x-ratelimit-remaining-requests'], '594', '99 of 100 per 10 s, in per-minute units');
  assert.equal(first.headers['x-ratelimit-limit-requests'], '600');
});

test('concurrency: one call too many is turned away at once, 503 busy or a 429 saying when the next is back', () => {
  const busy = engine({ concurrency: { max: 2, status: 503 } });
  const a = reply(busy.handle(0, 0, call()));
  reply(busy.handle(0, 0, call()));
  const refused = reply(busy.handle(10, 0, call()));
  assert.equal(refused.status, 503);
  assert.equal(busy.stats.busy, 1);
  a.finish?.(a.afterMs);
  assert.equal(reply(busy.handle(a.afterMs, 0, call())).status, 200);

  const limited = engine({ concurrency: { max: 1, status: 429 }, retry_after: 'ms' });
  const first = reply(limited.handle(0, 0, call()));
  const second = reply(limited.handle(30, 0, call()));
  assert.equal(second.status, 429);
  assert.equal(second.headers['retry-after-ms'], String(Math.ceil(first.afterMs - 30)));
  assert.equal(limited.stats.rejected_by_dimension.concurrency, 1);
});

test('presets parse, and the sliding gateway counts 150 requests in any 10 s, reset when the oldest leaves', () => {
  for (const name of PRESETS) assert.ok(MockConfig.safeParse(presetConfig(name)).success, name);
  const gateway = engine(presetConfig('sliding-gateway'));
  let last: Reply | undefined;
  for (let i = 0; i < 150; i++) {
    last = reply(gateway.handle(i * 20, 0, call()));
    assert.equal(last.status, 200, `call ${i}`);
  }
  assert.equal(last!.headers['x-ratelimit-remaining-requests'], '0');
  const first = reply(gateway.handle(0, 0, call())); // turned away, at the same instant as the first
  assert.equal(first.status, 429);
  const refused = reply(gateway.handle(3000, 0, call()));
  assert.equal(refused.status, 429);
  assert.equal(refused.headers['retry-after-ms'], '7000', 'the first call leaves at 10 s');
  assert.equal(refused.headers['x-ratelimit-reset-requests'], '7s');
  assert.equal(reply(gateway.handle(10_000, 0, call())).status, 200);
  const anthropic = engine(presetConfig('anthropic'));
  const headers = reply(anthropic.handle(0, 0, call('anthropic', 1500))).headers;
  assert.equal(headers['anthropic-ratelimit-input-tokens-remaining'], '78000', 'rounded down to thousands');
  assert.match(headers['anthropic-ratelimit-output-tokens-reset'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('random providers: valid for every seed, the same for the same seed, and varied', () => {
  const kinds = new Set<string>();
  const forms = new Set<string>();
  for (let seed = 1; seed <= 300; seed++) {
    const input = randomProviderConfig(seed);
    const parsed = MockConfig.safeParse(input);
    assert.ok(parsed.success, `seed ${seed}: ${parsed.success ? '' : parsed.error.message}`);
    assert.deepEqual(randomProviderConfig(seed), input);
    for (const rule of Object.values(parsed.data.enforcement)) if (rule) kinds.add(`${rule.kind} ${rule.reset}`);
    forms.add(String(parsed.data.retry_after));
  }
  assert.notDeepEqual(randomProviderConfig(1), randomProviderConfig(2));
  assert.ok(kinds.size >= 10, `${kinds.size} kinds and reset forms`);
  assert.equal(forms.size, 5);
});

test("over HTTP: the sliding gateway's retry-after-ms is what the real provider code reads", async () => {
  const mock = await startMockProvider({ ...presetConfig('sliding-gateway'), limits: { requests_per_minute: 6, tokens_per_minute: 100_000 }, latency: quick });
  const openai = new OpenAiProvider({ service: 'mock', baseUrl: `${mock.url}/v1`, apiKey: 'sk-test-1234', headers: {}, timeoutMs: 5000 });
  try {
    const ask = () =>
      openai.call({
        service: 'mock',
        model: 'm',
        parameters: { max_tokens: 10 },
        system: '',
        user: 'hello',
        iteration: 0,
        attempt: 0,
        signal: new AbortController().signal,
      });
    const ok = await ask();
    assert.equal(ok.limits?.requests?.remaining, 0);
    await assert.rejects(ask(), (error: unknown) => {
      assert.ok(error instanceof ProviderError && error.kind === 'rate_limited');
      assert.ok(error.retryAfterMs !== null && error.retryAfterMs > 9000 && error.retryAfterMs <= 10_000, `${error.retryAfterMs}`);
      return true;
    });
  } finally {
    await openai.close();
    await mock.close();
  }
});
