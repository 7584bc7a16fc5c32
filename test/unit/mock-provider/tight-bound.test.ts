// The benchmark's tight bound and zoo scenarios, on the virtual clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mockConfig } from '../../../src/mock-provider/config';
import { scenario, SCENARIOS, type Scenario } from '../../bench/scheduler/scenarios';
import { simulate } from '../../bench/scheduler/simulate';
import { tightBoundMs } from '../../bench/scheduler/tight-bound';
import { ZOO_SCENARIOS } from '../../bench/scheduler/zoo';

const calls = (count: number) => Array.from({ length: count }, () => ({ user: 'ana', jobId: 'job', inputTokens: 100, estimatedInput: 100, maxTokens: 100 }));
const setup = (provider: Parameters<typeof mockConfig>[0], count: number): Scenario => ({
  name: 'test',
  provider: mockConfig(provider),
  known: {},
  weights: { ana: 1 },
  calls: calls(count),
  stripHeaders: false,
  flavor: 'openai',
});

test('tight bound: each call at the earliest instant the rules admit it', () => {
  // 10 requests in any 10 s: 25 calls go at 0 s, 10 s and 20 s.
  assert.equal(tightBoundMs(setup({ limits: { requests_per_minute: 60 }, enforcement: { requests: { kind: 'sliding-log', window_s: 10 } } }, 25)), 20_000);
  // Fixed minutes of 1,000 tokens; a zero-latency call is charged 200 and refunded to 155 at once: 6 a minute.
  assert.equal(tightBoundMs(setup({ limits: { tokens_per_minute: 1000 }, mode: 'window-60s' }, 13)), 120_000);
  // A bucket of 10 requests refilled at one a second.
  assert.equal(Math.round(tightBoundMs(setup({ limits: { requests_per_minute: 60 }, enforcement: { requests: { kind: 'bucket', window_s: 10 } } }, 15))), 5000);
});

test('tight bound: every call of every scenario is admitted at the instant the limiter names, however late in the run', () => {
  // Rounding at half a million milliseconds once named an instant a hair too early.
  for (const name of SCENARIOS) for (const seed of [1, 2, 3]) assert.ok(tightBoundMs(scenario(name, seed)) > 0, `${name} seed ${seed}`);
});

test('zoo scenarios: every one builds, deterministically, with the flavor its provider needs', () => {
  for (const name of ZOO_SCENARIOS) {
    const a = scenario(name, 2);
    assert.deepEqual(scenario(name, 2), a, name);
    assert.ok(a.calls.length >= 400 && a.calls.length <= 1200, `${name}: ${a.calls.length} calls`);
    const anthropic = a.provider.limits.input_tokens_per_minute !== undefined || a.provider.limits.output_tokens_per_minute !== undefined;
    assert.equal(a.flavor, anthropic ? 'anthropic' : 'openai', name);
  }
  const gateway = scenario('zoo-sliding-gateway', 1);
  assert.equal(gateway.calls.length, 900);
  assert.ok(gateway.calls.every((call) => call.maxTokens === 150));
  assert.deepEqual(gateway.known, { requestsPerMinute: 900, tokensPerMinute: 150_000, inputTokensPerMinute: undefined, outputTokensPerMinute: undefined });
  assert.equal(scenario('zoo-anthropic', 1).flavor, 'anthropic');
});

test('a simulated zoo run: no strategy beats the tight bound, and the naive client finishes every call', async () => {
  const row = await simulate('zoo-sliding-gateway', 'honour-retry-after', 1);
  assert.ok(row.makespan_s >= row.tight_bound_s, `${row.makespan_s} s vs ${row.tight_bound_s} s`);
  assert.equal(row.failed_calls, 0);
  const anthropic = await simulate('zoo-anthropic', 'fixed-backoff', 1);
  assert.ok(anthropic.lower_bound_s > 0 && anthropic.ratio_tight >= 1, JSON.stringify(anthropic));
});
