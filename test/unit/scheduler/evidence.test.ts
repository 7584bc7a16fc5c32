// What contradicts a lane's belief about how the provider counts: each test fails on a scheduler that takes the
// first sign for the whole truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateGuard } from '../../../src/server/scheduler/guard';
import { Lane } from '../../../src/server/scheduler/lane';
import { LaneModels } from '../../../src/server/scheduler/lane-models';
import { learnFromHeaders } from '../../../src/server/scheduler/header-learning';
import { TokenBucket } from '../../../src/server/scheduler/bucket';
import { WindowBucket } from '../../../src/server/scheduler/window-bucket';
import { WindowClock } from '../../../src/server/scheduler/window-clock';
import { ProviderLimiter, admissionCosts } from '../../../src/mock-provider/limiter';
import { mockConfig } from '../../../src/mock-provider/config';

test('guard: a refusal with few calls out, soon after calls with many out went through, is no limit on calls at once', () => {
  const guard = new RateGuard();
  // 30 calls out at once were admitted over the last few seconds.
  for (let i = 0; i < 40; i++) {
    guard.sent(i * 100);
    guard.admitted(i * 100, i * 100 + 400, 32, 30);
  }
  // A quiet 429 (no headers, no message) with 2 others out: a rate said nothing of itself.
  const quiet = guard.overCapacity(2, 5_000);
  assert.equal(quiet.atOnce, false);
  assert.equal(quiet.words, null);
  assert.equal(guard.inflightCap(), Infinity, 'no cap on calls at once was learned');
  // Half a minute later that evidence is old: the same refusal now reads as a limit on calls at once.
  const later = guard.overCapacity(2, 40_000);
  assert.equal(later.atOnce, true);
  assert.equal(guard.inflightCap(), 2);
});

test('guard: a limit on calls at once is still learned where admissions never had more out than the refusals', () => {
  const guard = new RateGuard();
  // A gateway that takes 14 at once: admitted with up to 13 others out, refused with 14.
  for (let i = 0; i < 50; i++) {
    guard.sent(i * 50);
    guard.admitted(i * 50, i * 50 + 400, 20, i % 14);
  }
  const refused = guard.overCapacity(14, 3_000);
  assert.equal(refused.atOnce, true);
  assert.match(refused.words ?? '', /at most 14 calls at once/);
  assert.equal(guard.inflightCap(), 14);
  // A call that finished while another travelled can let one through with a few more out: still the same limit.
  guard.admitted(3_000, 3_400, 20, 15);
  assert.equal(guard.overCapacity(14, 3_500).atOnce, true);
});

/**
 * Feeds a clock the readings of 508 requests a minute counted by the mock provider's limiter in 1 s windows of `kind`:
 * a call every 50 ms when admitted, each reaching the provider 0–15 ms after it went.
 */
function clockOn(kind: 'sliding-log' | 'fixed'): WindowClock {
  const reset = kind === 'fixed' ? 'window-end' : 'oldest';
  const provider = new ProviderLimiter(mockConfig({ limits: { requests_per_minute: 508 }, enforcement: { requests: { kind, window_s: 1, reset } } }), 0);
  const clock = new WindowClock();
  for (let i = 0; i < 400; i++) {
    const sentAt = 50 * i;
    const travel = (i * 7) % 16;
    const admission = provider.admit(sentAt + travel, admissionCosts(10, 10));
    const reading = admission.state.requests!;
    if (admission.admitted)
      clock.observe('requests', sentAt, reading.remaining, sentAt + reading.resetMs!, reading.limit, reading.limit / 60_000, reading.limit);
  }
  return clock;
}

test("window clock: ends that drift off the window's lattice are a sliding window's, not a fixed window's", () => {
  // A sliding log that says when its oldest entry leaves: ends wherever the calls went.
  const sliding = clockOn('sliding-log');
  assert.equal(sliding.windowed, true, 'taken for windows at first (resets stand still while remaining falls)');
  assert.equal(sliding.drifting(), true);
  // Fixed 1 s windows read through requests that take 0–15 ms to arrive: every end within travel of the lattice.
  const fixed = clockOn('fixed');
  assert.equal(fixed.windowed, true);
  assert.ok(Math.abs(fixed.lengthMs() - 1_000) < 20, `length ${fixed.lengthMs()}`);
  assert.equal(fixed.drifting(), false);
});

/** A clock that learned 60 s windows ending on whole minutes, and a bucket of 1,000 tokens a window, spent at 61 s. */
function spentMinute(): { clock: WindowClock; bucket: WindowBucket } {
  const clock = new WindowClock();
  for (let i = 0; i < 6; i++) clock.observe('tokens', 1_000 + i, 900 - 100 * i, 60_000, 60_000, 1);
  clock.observe('tokens', 60_500, 900, 120_000, 60_000, 1);
  assert.ok(clock.windowed && clock.windowMs !== null && Math.abs(clock.windowMs - 60_000) < 2, `windows of ${clock.windowMs} ms`);
  const bucket = new WindowBucket(1_000, clock, 1_000, 30_000);
  // The new window's first call reads it whole again: a fixed window, confirmed.
  const first = bucket.admit(100, 60_600);
  bucket.observe(120_000, 900, first, 0, 1_000, 60_800);
  bucket.admit(900, 61_000);
  return { clock, bucket };
}

test('window bucket: with nothing out and most of a window to wait, one call goes to read again; refused in two windows, no more', () => {
  const { bucket } = spentMinute();
  assert.ok(bucket.waitFor(100, 61_000) > 58_000, 'with calls out it waits for the end');
  const half = bucket.waitFor(100, 61_000, true);
  assert.ok(Math.abs(half - 29_500) < 10, `idle: halfway from the latest word from the provider to the end (${half} ms)`);
  const probe = bucket.admit(100, 90_500);
  assert.equal(probe.probe, true);
  assert.ok(bucket.waitFor(100, 90_600, true) > 29_000, 'one at a time');
  bucket.probeRefused(90_700);
  assert.ok(bucket.waitFor(100, 90_800, true) > 29_000, 'refused: the window is as the model says, and it waits for the end');
  // The next window, spent too: one more test, refused; from then on the model has passed.
  bucket.admit(1_000, 120_100);
  assert.ok(bucket.waitFor(100, 120_200, true) < 30_000);
  assert.equal(bucket.admit(100, 150_100).probe, true);
  bucket.probeRefused(150_200);
  bucket.admit(1_000, 180_100);
  assert.ok(bucket.waitFor(100, 180_200, true) > 59_000, 'passed twice: no more 429s spent on it');
  assert.equal(bucket.cameBackEarly, false);
});

test('window bucket: a call sent to read again, admitted in a window that ends elsewhere, says room came back sooner', () => {
  const { bucket } = spentMinute();
  const probe = bucket.admit(100, 90_500);
  assert.equal(probe.probe, true);
  // A sliding counter's weight fading: admitted, and counted in a window that is full again at 180 s.
  bucket.observe(180_000, 2_400, probe, 0, 1_000, 90_900);
  assert.equal(bucket.cameBackEarly, true);
});

test('lane models: a model dropped with no readings to believe goes, and AIMD under a configured limit takes over', () => {
  // Learned from 429 messages alone (a provider that sends no headers): a window of far too little.
  const words: string[] = [];
  const blind = new LaneModels({}, 0, (said) => words.push(said));
  blind.buckets.set('tokens', new TokenBucket(841, 841 / 10_000, 0, 0));
  blind.dropModel('tokens', '11 429s in 206 calls within 10 s where the model predicted room', undefined, null, 1_000);
  assert.equal(blind.buckets.has('tokens'), false, 'the wrong model no longer holds the lane back');
  assert.match(words.join('\n'), /finding the rate by AIMD/);
  // With a configured limit, that limit stays as a ceiling.
  const configured = new LaneModels({ tokens: 90_000 }, 0, () => {});
  configured.buckets.set('tokens', new TokenBucket(841, 841 / 10_000, 0, 0));
  configured.dropModel('tokens', 'wrong', undefined, null, 1_000);
  assert.equal(configured.buckets.get('tokens')?.capacity, 90_000);
  // A 429 message later does not build the dropped model again.
  learnFromHeaders(blind, { tokens: { limit: 284_749, used: 47_056, requested: 590, resetMs: 744 } }, null, 2_000, false);
  assert.equal(blind.buckets.has('tokens'), false);
});

test('lane: a model learned from 429s that name only the limit is struck by the 429s that follow it, and dropped', () => {
  // A provider with no headers whose 429s say only "limit 486 requests a minute, try again in 600 ms".
  const lane = new Lane('quiet', null, 100, 0);
  const said = { requests: { limit: 486, resetMs: 600 } };
  const first = lane.charge({ tokens: 100 }, 0);
  lane.learn(said, first, 20, false);
  lane.onRateLimited({ ms: 600, hinted: true }, said, first, 20, () => 0);
  assert.ok(lane.buckets.has('requests'), 'a model of the named limit');
  // Calls sent after it taught the model, turned away all the same: the model predicted room for them.
  for (let i = 0; i < 3; i++) {
    const mark = lane.charge({ tokens: 100 }, 700 + i);
    lane.onRateLimited({ ms: 600, hinted: true }, said, mark, 720 + i, () => 0);
  }
  assert.ok(lane.trust.dropped.has('requests'), lane.words.join('\n'));
  assert.equal(lane.buckets.has('requests'), false, 'AIMD alone decides from here');
});
