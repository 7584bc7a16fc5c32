// Beliefs that hold a lane back without a 429 to contradict them: each test fails on a scheduler that keeps a
// pessimistic belief for the rest of the run because nothing the provider refused ever showed it wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateGuard } from '../../../src/server/scheduler/guard';
import { tooManyAtOnce } from '../../../src/server/scheduler/rejection';
import type { AdmissionMark } from '../../../src/server/scheduler/header-learning';
import { WindowBucket } from '../../../src/server/scheduler/window-bucket';
import { WindowClock } from '../../../src/server/scheduler/window-clock';
import { RefillLearner } from '../../../src/server/scheduler/refill-learning';

test('guard: a call turned away with no other call out was refused for a rate, never for too many at once', () => {
  const guard = new RateGuard();
  const alone = guard.overCapacity(0, 1_000);
  assert.equal(alone.atOnce, false);
  assert.equal(guard.inflightCap(), Infinity, 'a lane held to one call at a time would never learn otherwise');
});

test('guard: refusals at a level where most calls sent with as many out went through are a rate limit, not calls at once', () => {
  const guard = new RateGuard();
  // A short rate window: calls sent with 2 others out are mostly admitted, now and then one is refused.
  for (let i = 0; i < 30; i++) {
    guard.sent(i * 500);
    guard.admitted(i * 500, i * 500 + 400, 8, 2);
  }
  assert.equal(guard.overCapacity(2, 15_500).atOnce, false);
  assert.equal(guard.overCapacity(2, 16_000).atOnce, false);
  assert.equal(guard.inflightCap(), Infinity);
  // A real limit of 3 at once: every call sent with 3 others out is refused, so it is learned.
  for (let i = 0; i < 4; i++) guard.overCapacity(3, 16_500 + i * 10);
  assert.equal(guard.inflightCap(), 3);
});

test('rejection: remaining in per-minute units of a short window is judged in the units the lane has seen it count in', () => {
  // A 1 s window of 1,157 tokens reported per minute (×60): 1,879 "remaining" is 31 tokens, no room for 500.
  const mark = { at: 0, costs: { requests: 1, tokens: 500 }, charged: { requests: 0, tokens: 0, input_tokens: 0, output_tokens: 0 } } as AdmissionMark;
  const snapshot = { tokens: { limit: 69_422, remaining: 1_879 } };
  assert.equal(tooManyAtOnce(snapshot, mark, [], true), true, 'read at face value, the 429 looks like too many calls at once');
  assert.equal(
    tooManyAtOnce(snapshot, mark, [], true, (dimension) => (dimension === 'tokens' ? 60 : 1)),
    false,
    'in the units it counts in, the window had no room: a rate limit',
  );
});

/** A window bucket learned from 429 messages alone (no headers): windows of 10 s, a quota of 1,000, spent at 1 s. */
function spentBlindWindow(): WindowBucket {
  const clock = new WindowClock();
  for (let i = 0; i < 6; i++) clock.observe('tokens', 100 + i, 900 - 100 * i, 10_000, 60_000, 1);
  const bucket = new WindowBucket(1_000, clock, 1_000, 0);
  bucket.unchecked();
  bucket.admit(1_000, 1_000);
  return bucket;
}

test('window bucket without readings: a call sent to read again, admitted twice, says the model holds the lane back', () => {
  const bucket = spentBlindWindow();
  const wait = bucket.waitFor(100, 1_100, true);
  assert.ok(wait < 8_000, `idle with most of the window to wait, one call goes to read again (waits ${wait} ms)`);
  const first = bucket.admit(100, 1_100 + wait);
  assert.equal(first.probe, true);
  assert.equal(bucket.probeAdmitted(first), false, 'once: the quota may be a little short');
  assert.ok(bucket.capacity >= 1_100, `the window held what went into it (${bucket.capacity})`);
  // The next window, spent again, and its call sent to read again admitted too: the model is wrong.
  bucket.admit(bucket.capacity, 10_100);
  const again = bucket.waitFor(100, 10_200, true);
  const second = bucket.admit(100, 10_200 + again);
  assert.equal(second.probe, true);
  assert.equal(bucket.probeAdmitted(second), true);
});

test('refill learning: a provider that never shows more than a second of its limit left is not taken for a busy key', () => {
  // 201 requests a minute counted over 1 s and reported per window: `remaining` is 0–3, whatever we send. We send
  // one call a second; the provider's count shows room left in every window.
  const learner = new RefillLearner();
  const full = 201 / 60_000;
  let learned: number | null = null;
  for (let i = 0; i < 40; i++) learned = learner.observe(i * 1_000, 2, i, 201, full) ?? learned;
  assert.equal(learned, null, 'the limit stands: the slope was only what we sent');
  // The same readings from a provider whose `remaining` has been seen near its limit: a busy key, learned.
  const busy = new RefillLearner();
  busy.observe(0, 200, 0, 201, full);
  let rate: number | null = null;
  for (let i = 1; i < 40; i++) rate = busy.observe(i * 1_000, 2, i, 201, full) ?? rate;
  assert.ok(rate !== null && rate < full / 2, `another client takes the rest: ${rate === null ? 'none' : (rate * 60_000).toFixed(0)} a minute learned`);
});
