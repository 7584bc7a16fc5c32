import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  anthropicLimits,
  limitsInMessage,
  openAiLimits,
  parseGoDuration,
  retryAfterMs,
  retryHintInMessage,
} from '../../../src/server/providers/rate-limit-headers';

describe('rate-limit headers', () => {
  it('reads Go durations as OpenAI writes them', () => {
    assert.equal(parseGoDuration('1s'), 1000);
    assert.equal(parseGoDuration('6m0s'), 360_000);
    assert.equal(parseGoDuration('12ms'), 12);
    assert.equal(parseGoDuration('9.816s'), 9816);
    assert.equal(parseGoDuration('1h2m3.5s'), 3_723_500);
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('250us'), 0.25);
    assert.equal(parseGoDuration('soon'), null);
    assert.equal(parseGoDuration('5 s'), null);
    assert.equal(parseGoDuration(''), null);
  });

  it('normalizes OpenAI headers', () => {
    const limits = openAiLimits({
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-reset-requests': '120ms',
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-tokens': '29937',
      'x-ratelimit-reset-tokens': '6m0s',
    });
    assert.deepEqual(limits, {
      requests: { limit: 500, remaining: 499, resetMs: 120 },
      tokens: { limit: 30000, remaining: 29937, resetMs: 360_000 },
    });
    assert.equal(openAiLimits({ 'content-type': 'application/json' }), undefined);
  });

  it('normalizes Anthropic headers, resets as RFC 3339 times', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const limits = anthropicLimits(
      {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '49',
        'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:01Z',
        'anthropic-ratelimit-input-tokens-limit': '40000',
        'anthropic-ratelimit-input-tokens-remaining': '39000',
        'anthropic-ratelimit-input-tokens-reset': '2026-01-01T00:00:01.500Z',
        'anthropic-ratelimit-output-tokens-limit': '8000',
        'anthropic-ratelimit-output-tokens-remaining': '8000',
        'anthropic-ratelimit-output-tokens-reset': '2025-12-31T23:59:59Z',
      },
      now,
    );
    assert.deepEqual(limits, {
      requests: { limit: 50, remaining: 49, resetMs: 1000 },
      input_tokens: { limit: 40000, remaining: 39000, resetMs: 1500 },
      output_tokens: { limit: 8000, remaining: 8000, resetMs: 0 },
    });
  });

  it('reads retry-after-ms, retry-after seconds and retry-after HTTP dates', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    assert.equal(retryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '2' }, now), 1500);
    assert.equal(retryAfterMs({ 'retry-after': '2' }, now), 2000);
    assert.equal(retryAfterMs({ 'retry-after': '0.5' }, now), 500);
    assert.equal(retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2026 07:28:30 GMT' }, now), 30_000);
    assert.equal(retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2026 07:27:00 GMT' }, now), 0);
    assert.equal(retryAfterMs({}, now), null);
    assert.equal(retryAfterMs({ 'retry-after': 'later' }, now), null);
  });

  it('finds the wait in an OpenAI rate-limit message', () => {
    assert.equal(
      retryHintInMessage('Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29937, Requested 385. Please try again in 644ms. Visit …'),
      644,
    );
    assert.equal(retryHintInMessage('Please try again in 1.5s.'), 1500);
    assert.equal(retryHintInMessage('Please try again in 6m0s.'), 360_000);
    assert.equal(retryHintInMessage('try later'), null);
  });

  it('reads the limit a 429 message names when there are no headers', () => {
    const openai =
      'Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30,000, Used 29,937, Requested 385. Please try again in 644ms.';
    assert.deepEqual(limitsInMessage(openai, 644), { tokens: { limit: 30_000, used: 29_937, requested: 385, resetMs: 644 } });
    assert.deepEqual(limitsInMessage('… on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms.', null), {
      requests: { limit: 500, used: 500, requested: 1 },
    });
    const anthropic = 'This request would exceed the rate limit for your organization (abc) of 50,000 input tokens per minute. For details, refer to: …';
    assert.deepEqual(limitsInMessage(anthropic, 3000), { input_tokens: { limit: 50_000, resetMs: 3000 } });
    assert.deepEqual(limitsInMessage('… of 8,000 output-tokens per minute.', null), { output_tokens: { limit: 8000 } });
    // A daily quota is not a rate to pace at; a message without numbers says nothing.
    assert.equal(limitsInMessage('… on requests per day (RPD): Limit 10000, Used 10000, Requested 1.', null), null);
    assert.equal(limitsInMessage('Rate limit exceeded. Please retry after 2 seconds.', 2000), null);
  });
});
