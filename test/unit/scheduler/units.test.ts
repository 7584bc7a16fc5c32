// A provider that reports `remaining` in other units than it counts in (per minute, over a 1 s window): what its
// 429s say settles it. Each test fails on a scheduler that takes such a 429 for too many calls at once, or that keeps
// believing the units its pairs of readings under-measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failure, Wire } from '../../../src/server/providers/wire';
import { openAiLimits } from '../../../src/server/providers/rate-limit-headers';
import { Lane } from '../../../src/server/scheduler/lane';
import { ModelTrust } from '../../../src/server/scheduler/model-trust';
import { ReadingBucket } from '../../../src/server/scheduler/reading-bucket';

/** OpenAI's words for a 429 on tokens, and its headers: 1,879 tokens "remaining" per minute over a 1 s window. */
const MESSAGE =
  'Rate limit reached for gpt-4o-mini in organization org-abc on tokens per min (TPM): Limit 69422, Used 1126, Requested 500. ' +
  'Please try again in 32ms. Visit https://platform.openai.com/account/rate-limits to learn more.';
const HEADERS = {
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-remaining-requests': '9990',
  'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '69422',
  'x-ratelimit-remaining-tokens': '22879',
  'x-ratelimit-reset-tokens': '32ms',
};

test('wire: a 429 with headers keeps the limit its message names, marked as the one reached', async () => {
  const wire = new Wire({ service: 'svc', baseUrl: 'http://provider.invalid/v1', apiKey: null, headers: {}, timeoutMs: 1_000 });
  try {
    const error = failure({ wire, status: 429, headers: HEADERS, message: MESSAGE, code: 'rate_limit_exceeded', limits: openAiLimits(HEADERS, 0) ?? null, now: 0 });
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.limits?.tokens?.named, true, 'the message named tokens');
    assert.equal(error.limits?.tokens?.remaining, 22_879, "the headers' reading stands");
    assert.equal(error.limits?.requests?.named, undefined, 'requests were not named');
  } finally {
    await wire.close();
  }
});

test('lane: a 429 whose message names tokens, with room by its remaining, is a rate in other units, not too many at once', () => {
  const lane = new Lane('svc/model', null, 256, 0);
  // Readings that look like plenty of room, read at face value.
  const first = lane.charge({ tokens: 500 }, 0);
  lane.learn({ tokens: { limit: 69_422, remaining: 60_000, resetMs: 500 } }, first, 300, true);
  lane.reconcile({ tokens: 500 }, { input: 300, output: 200 }, 300, first);
  const marks = Array.from({ length: 6 }, (_, i) => lane.charge({ tokens: 500 }, 400 + i));
  const snapshot = { tokens: { limit: 69_422, remaining: 22_879, resetMs: 32, named: true } };
  lane.onRateLimited({ ms: 32, hinted: false }, snapshot, marks.at(-1)!, 450, () => 0);
  assert.equal(lane.guard.inflightCap(), Infinity, `no limit on calls at once: ${lane.words.join(' / ')}`);
  assert.ok(lane.trust.scale('tokens') >= 22_879 / 500, `remaining counts at least ${(22_879 / 500).toFixed(1)} units a token (${lane.trust.scale('tokens')})`);
});

test('model trust: a 429 named on a limit with room twice over sets a floor under its scale; one a prompt estimate explains does not', () => {
  const trust = new ModelTrust();
  assert.equal(trust.refusedWithRoom('tokens', 900, 500), false, 'less than twice the call: our estimate of the prompt may be short');
  assert.equal(trust.scale('tokens'), 1);
  assert.equal(trust.refusedWithRoom('tokens', 22_879, 500), true);
  assert.ok(Math.abs(trust.scale('tokens') - 45.758) < 1e-9);
  assert.equal(trust.refusedWithRoom('tokens', 10_000, 500), false, 'a lower bound below the floor says nothing new');
});

test('reading bucket: a larger scale shrinks what is left, and what a 429 found short is kept back', () => {
  const bucket = new ReadingBucket(1_157 / 60_000, 20, 1_000, 0, 0);
  bucket.rescale(60);
  assert.ok(Math.abs(bucket.level(0) - 333.33) < 0.01, `room ${bucket.level(0)}`);
  assert.ok(Math.abs(bucket.capacity - 333.33) < 0.01);
  // A call of 300 went with 333 left by the bucket; the provider's reading on its 429 showed 100 left: 200 short.
  bucket.take(300, 10);
  bucket.rejected(50, 20, 200);
  bucket.read(100, 60 * 330, 500, 0, true);
  assert.ok(bucket.waitFor(200, 120) > 0, 'room for the call, but not for the call and what the last 429 found short');
  bucket.read(200, 60 * 333, 500, 0, true);
  assert.ok(bucket.waitFor(100, 220) === 0, 'room for both');
});
