// What contradicts a lane's belief about how the provider counts: each test fails on a scheduler that takes the
// first sign for the whole truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateGuard } from '../../../src/server/scheduler/guard';
import { WindowClock } from '../../../src/server/scheduler/window-learning';
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
    if (admission.admitted) clock.observe('requests', sentAt, reading.remaining, sentAt + reading.resetMs!, reading.limit, reading.limit / 60_000, reading.limit);
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
