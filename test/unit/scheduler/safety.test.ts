// The safety layer: what holds whatever the lane's models believe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateGuard } from '../../../src/server/scheduler/guard';
import { ModelTrust } from '../../../src/server/scheduler/model-trust';
import { ReadingBucket } from '../../../src/server/scheduler/reading-bucket';
import { Lane } from '../../../src/server/scheduler/lane';
import { Scheduler, type CallTicket } from '../../../src/server/scheduler/scheduler';
import { ProviderError } from '../../../src/server/providers/provider';
import { VirtualClock } from '../../support/virtual-clock';

const header = (ms: number | null) => ({ ms, hinted: false });

test('guard: every 429 pauses the lane until its retry-after, or a backoff that doubles while 429s keep coming', () => {
  const guard = new RateGuard();
  guard.sent(0);
  assert.equal(guard.rateLimited(0, header(3_000), 10, 0).until, 3_010);
  assert.equal(guard.wait(2_000), 1_010);
  assert.equal(guard.wait(3_010), 0);
  const blind = new RateGuard();
  blind.sent(0);
  assert.equal(blind.rateLimited(0, header(null), 0, 0).until, 1_000);
  assert.equal(blind.rateLimited(0, header(null), 1_000, 0).until, 3_000, 'doubled');
  blind.admitted(2_900, 3_100, 10);
  assert.equal(blind.rateLimited(3_100, header(null), 4_000, 0).until, 5_000, 'back to the first step once a call goes through');
});

test('guard: a wait named only in the message pauses for it or the backoff, whichever is shorter', () => {
  const guard = new RateGuard();
  guard.sent(0);
  assert.equal(guard.rateLimited(0, { ms: 50_000, hinted: true }, 0, 0).until, 1_000);
  assert.equal(guard.rateLimited(0, { ms: 500, hinted: true }, 1_000, 0).until, 1_500);
});

test('guard: after a 429 the lane never sends faster than before it', () => {
  const guard = new RateGuard();
  // 30 calls over the lane's first 30 s: a call a second.
  for (let t = 0; t < 30_000; t += 1_000) guard.sent(t);
  guard.rateLimited(29_000, header(100), 30_000, 0);
  let sent = 0;
  for (let t = 30_100; t < 90_000; t += 10) {
    if (guard.wait(t) === 0) {
      guard.sent(t);
      sent++;
    }
  }
  // 60 calls a minute before it (30 in 30 s), and about as many in the minute after it.
  assert.ok(sent <= 62, `${sent} calls in the minute after the 429`);
  assert.ok(sent >= 25, `${sent} calls: the lane still goes`);
});

test('guard: a burst of 429s turns the lane conservative, and calls the provider admits bring it back', () => {
  const guard = new RateGuard();
  for (let i = 0; i < 20; i++) guard.sent(i);
  assert.equal(guard.rateLimited(0, header(100), 30, 0).words, null, 'one 429 is no burst');
  guard.rateLimited(1, header(100), 31, 0);
  const third = guard.rateLimited(2, header(100), 32, 0);
  assert.equal(third.burst, true);
  assert.match(third.words ?? '', /conservative mode/);
  assert.equal(guard.conservative, true);
  assert.equal(guard.inflightCap(), 2, 'two calls out at a time');
  guard.admitted(200, 600, 8);
  assert.equal(guard.inflightCap(), 3, 'one more for every call admitted');
  let words: string | null = null;
  for (let i = 0; i < 10 && guard.conservative; i++) words = guard.admitted(200, 700 + i, 8);
  assert.equal(guard.conservative, false);
  assert.match(words ?? '', /admits calls again/);
});

test('trust: remaining that falls six times as fast as we send (a 10 s window counted per minute) drops the model', () => {
  const trust = new ModelTrust();
  let reason: string | null = null;
  // 900 a minute stated; 150 per 10 s counted; remaining reported in per-minute units.
  for (let i = 1; i <= 10 && !reason; i++) reason = trust.reading('requests', i * 10, (150 - i) * 6, i);
  assert.match(reason ?? '', /6\.0× as fast as we send/);
  assert.equal(trust.scale('requests'), 6);
  const fair = new ModelTrust();
  for (let i = 1; i <= 12; i++) assert.equal(fair.reading('tokens', i * 10, 150_000 - i * 450, i * 450), null, 'remaining in our units');
  const rounded = new ModelTrust();
  for (let i = 1; i <= 12; i++)
    assert.equal(rounded.reading('tokens', i * 10, Math.floor((150_000 - i * 450) / 1000) * 1000, i * 450), null, 'rounded to thousands');
});

test('trust: 429s where the model predicted room drop it only when they are many, and only for calls it predicted', () => {
  const trust = new ModelTrust();
  trust.reading('tokens', 100, 50_000, 500);
  assert.equal(trust.rejected('tokens', 50, 200, 10), null, 'sent before any reading: not the model');
  assert.equal(trust.rejected('tokens', 150, 200, 200), null);
  assert.equal(trust.rejected('tokens', 150, 300, 200), null);
  assert.equal(trust.rejected('tokens', 150, 400, 200), null, 'three 429s in 200 calls: a model filling to the brim');
  for (let i = 0; i < 6; i++) trust.rejected('tokens', 150, 500 + i, 100);
  assert.ok(trust.dropped.has('tokens'), 'more than 5% of the calls');
});

test('reading bucket: room is what the provider says, in our units, less what we sent since; with none left, one call reads again', () => {
  // Requests: 150 a 10 s window reported per minute (÷6); 60 left said at 1 s, 10 sent since.
  const bucket = new ReadingBucket(900 / 60_000, 6, 0, 0, 0);
  bucket.read(1_000, 360, 9_000, 10);
  assert.equal(bucket.level(1_100), 50);
  bucket.take(50, 1_100);
  assert.equal(bucket.waitFor(1, 1_100), 0, 'one call may go early, to see whether room comes back continuously');
  bucket.take(1, 1_100);
  assert.equal(bucket.waitFor(1, 1_101), 250, 'and no more until its reading or its 429');
  bucket.rejected(10_000, 1_120);
  assert.ok(bucket.waitFor(1, 1_200) > 8_000, 'turned away: from now on, nothing until the reset');
  assert.equal(bucket.waitFor(1, 10_001), 4, 'a few ms after the reset (the oldest call may still count at the instant)');
  assert.equal(bucket.waitFor(1, 10_005), 0, 'then one call goes to read again');
  bucket.take(1, 10_005);
  assert.ok(bucket.waitFor(1, 10_006) > 0);
  bucket.read(10_005, 6 * 40, 1_000, 0);
  assert.equal(bucket.level(10_400), 40);
  // A continuous bucket admits the early call: its reading says what came back.
  const continuous = new ReadingBucket(600 / 60_000, 1, 0, 0, 0);
  continuous.read(0, 1, 60_000, 1);
  assert.equal(continuous.waitFor(1, 50), 50, "a call's worth at the stated rate");
  continuous.take(1, 100);
  continuous.read(100, 2, 60_000, 1);
  assert.equal(continuous.level(100), 1);
  continuous.take(1, 100);
  assert.equal(continuous.waitFor(1, 150), 50, 'early calls work here: they go on');
});

test('reading bucket: a configured limit is a ceiling readings cannot raise', () => {
  const bucket = new ReadingBucket(600 / 60_000, 1, 0, 0, 0, 600);
  bucket.read(0, 5_000, 1_000, 0);
  assert.equal(bucket.level(0), 600);
});

test("a configured lane lets out no more than a second's share until the provider's readings show how it counts", () => {
  const lane = new Lane('svc/model', { requestsPerMinute: 900 }, 256, 0);
  const call = { tokens: 300, inputTokens: 150, outputTokens: 150 };
  let sent = 0;
  while (lane.wait(call, 0).ms === 0 && sent < 1_000) {
    lane.charge(call, 0);
    sent++;
  }
  assert.equal(sent, 15, '900 a minute: 15 in a second');
});

test('a lane that meets per-minute units on a short window drops its model and says so', () => {
  const lane = new Lane('svc/model', null, 256, 0);
  const call = { tokens: 300, inputTokens: 150, outputTokens: 150 };
  const marks = Array.from({ length: 8 }, (_, i) => lane.charge(call, i));
  marks.forEach((mark, i) => lane.learn({ requests: { limit: 900, remaining: (150 - (i + 1)) * 6, resetMs: 10_000 } }, mark, 400 + i));
  assert.ok(
    lane.words.some((words) => /requests-per-minute: remaining falls 6\.0× .*model dropped/.test(words)),
    lane.words.join(' | '),
  );
  // 150 a window, 8 sent: 142 left, not the 852 the headers say.
  const left = lane.buckets.get('requests')!.level(410);
  assert.ok(left <= 143 && left >= 138, `left ${left}`);
});

test('after a burst of 429s the lane finds its way back a round trip at a time, never with a whole bucket at once', () => {
  // Blind at first (no limits), then a 429 message names a per-minute limit of 120,000 tokens: 240 calls of 500.
  const lane = new Lane('svc/model', null, 1_000, 0);
  const call = { tokens: 500, inputTokens: 300, outputTokens: 200 };
  let now = 0;
  // 100 calls go through: the slow start has grown past 100.
  for (let i = 0; i < 100; i++) {
    const mark = lane.charge(call, now);
    lane.admitted(mark, now + 1_000);
    lane.onSuccess(call, 1_000, now + 1_000);
    lane.finished(mark);
  }
  now = 1_000;
  const out = Array.from({ length: 40 }, () => lane.charge(call, now));
  const snapshot = { tokens: { limit: 120_000, used: 60_000, requested: 500 } };
  for (const mark of out.slice(0, 3)) lane.onRateLimited({ ms: 200, hinted: false }, snapshot, mark, now + 10, () => 0);
  assert.ok(
    lane.words.some((words) => /conservative mode/.test(words)),
    lane.words.join(' | '),
  );
  for (const mark of out) lane.finished(mark);
  // The provider admits calls again; each round trip lets out at most twice as many as the one before.
  now = 2_000;
  let caps: number[] = [];
  for (let round = 0; round < 6; round++) {
    const cap = lane.cap();
    caps.push(cap);
    const marks = Array.from({ length: cap }, () => lane.charge(call, now));
    now += 1_000;
    for (const mark of marks) {
      lane.admitted(mark, now);
      lane.onSuccess(call, 1_000, now);
      lane.finished(mark);
    }
  }
  caps = caps.map((cap) => Math.min(cap, 1_000));
  for (let i = 1; i < caps.length; i++) assert.ok(caps[i]! <= 2 * caps[i - 1]! + 1, `round ${i}: ${caps.join(', ')} calls at once`);
  assert.ok(caps[0]! <= 4, `first round after the burst: ${caps[0]} calls`);
  assert.ok(caps[caps.length - 1]! >= 16, `the lane gets going again: ${caps.join(', ')}`);
});

test('rate-limit retries are bounded by time, not by a count: a call keeps its place while the provider admits calls', async () => {
  const clock = new VirtualClock();
  const scheduler = new Scheduler({ clock, random: () => 0, retry: { rateLimitPatienceMs: 60_000 } });
  const ticket: CallTicket = { lane: 'svc/model', user: 'u', jobId: 'j', tokens: 100 };
  const never = new AbortController().signal;
  let tries = 0;
  const patient = scheduler.run(
    ticket,
    async () => {
      if (++tries <= 40) throw new ProviderError('rate_limited', 'slow down', 5, 429);
      return 'ok';
    },
    never,
  );
  const settled = patient.then(
    () => true,
    () => true,
  );
  // Other calls on the lane go through now and then: the provider still admits calls.
  let done = false;
  void settled.then(() => (done = true));
  for (let i = 0; i < 2_000 && !done; i++) {
    await clock.advance(2_000);
    if (i % 5 === 0) void scheduler.run({ ...ticket, jobId: `other-${i}` }, async () => 'fine', never);
  }
  assert.equal(await patient, 'ok', '40 429s in a row (more than the 30 tries that were once the limit), over more than the patience: the call still succeeds');
  assert.ok(clock.now() > 60_000, `${clock.now()} ms`);
  let hopeless = 0;
  const failing = scheduler.run(
    { ...ticket, jobId: 'k' },
    async () => {
      hopeless++;
      throw new ProviderError('rate_limited', 'slow down', 1_000, 429);
    },
    never,
  );
  let outcome: unknown = null;
  void failing.then(
    () => (outcome = 'ok'),
    (error: unknown) => (outcome = error),
  );
  const from = clock.now();
  for (let i = 0; i < 1_000 && outcome === null; i++) await clock.advance(1_500);
  assert.ok(outcome instanceof ProviderError, 'fails once the provider admitted nothing for the patience');
  assert.ok(clock.now() - from >= 60_000 && clock.now() - from < 200_000, `after ${clock.now() - from} ms`);
  assert.ok(hopeless < 100, `${hopeless} tries`);
});
