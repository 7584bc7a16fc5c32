import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FairQueue, type FairEntry } from '../../../src/server/scheduler/fair-queue';
import { AimdRate } from '../../../src/server/scheduler/aimd';
import { littlesLawCap, ConcurrencyCap } from '../../../src/server/scheduler/concurrency';
import { TokenBucket } from '../../../src/server/scheduler/bucket';
import { learnFromHeaders } from '../../../src/server/scheduler/header-learning';
import type { Dimension } from '../../../src/server/scheduler/dimensions';
import { RefillLearner } from '../../../src/server/scheduler/refill-learning';
import { WindowBucket } from '../../../src/server/scheduler/window-bucket';
import { WindowClock } from '../../../src/server/scheduler/window-clock';
import { Lane } from '../../../src/server/scheduler/lane';

test('weighted fair queue: weights 1:1:2 get token shares 1:1:2 while all are backlogged', () => {
  const queue = new FairQueue<FairEntry>();
  const weights: Record<string, number> = { ana: 1, ben: 1, cai: 2 };
  for (let i = 0; i < 400; i++)
    for (const user of ['ana', 'ben', 'cai']) queue.push({ user, jobId: `${user}-job`, cost: 100 + (i % 7) * 50, weight: weights[user]! });
  const served: Record<string, number> = { ana: 0, ben: 0, cai: 0 };
  for (let i = 0; i < 600; i++) {
    const entry = queue.shift()!;
    served[entry.user]! += entry.cost;
  }
  const total = served.ana! + served.ben! + served.cai!;
  assert.ok(Math.abs(served.ana! / total - 0.25) < 0.01, JSON.stringify(served));
  assert.ok(Math.abs(served.ben! / total - 0.25) < 0.01, JSON.stringify(served));
  assert.ok(Math.abs(served.cai! / total - 0.5) < 0.01, JSON.stringify(served));
});

test('fair queue: within a user, jobs share equally; a newcomer banks no credit for having been idle', () => {
  const queue = new FairQueue<FairEntry>();
  for (let i = 0; i < 10; i++) queue.push({ user: 'ana', jobId: 'big', cost: 10, weight: 1 });
  for (let i = 0; i < 6; i++) queue.shift();
  for (let i = 0; i < 4; i++) queue.push({ user: 'ana', jobId: 'small', cost: 10, weight: 1 });
  const order = Array.from({ length: 8 }, () => queue.shift()!.jobId);
  assert.deepEqual(order, ['big', 'small', 'big', 'small', 'big', 'small', 'big', 'small']);
});

test("fair queue: a user arriving while another's calls are out goes ahead until both have had as much back", () => {
  const queue = new FairQueue<FairEntry>();
  for (let i = 0; i < 10; i++) queue.push({ user: 'ana', jobId: 'a', cost: 10, weight: 1 });
  for (let i = 0; i < 4; i++) queue.shift();
  // Ana's first four are out, none back: Ben has had as much as she has.
  for (let i = 0; i < 10; i++) queue.push({ user: 'ben', jobId: 'b', cost: 10, weight: 1 });
  assert.deepEqual(
    Array.from({ length: 6 }, () => queue.shift()!.user),
    ['ben', 'ben', 'ben', 'ben', 'ana', 'ben'],
  );
  // Once everything is back, a newcomer starts level with them: being idle banks no credit.
  for (let i = 0; i < 5; i++) queue.returned('ana', 10);
  for (let i = 0; i < 5; i++) queue.returned('ben', 10);
  queue.push({ user: 'cai', jobId: 'c', cost: 10, weight: 1 });
  queue.push({ user: 'cai', jobId: 'c', cost: 10, weight: 1 });
  assert.deepEqual(
    Array.from({ length: 4 }, () => queue.shift()!.user),
    ['ana', 'ben', 'cai', 'ana'],
  );
});

test('a call put back at the head goes next', () => {
  const queue = new FairQueue<FairEntry & { id: number }>();
  queue.push({ user: 'u', jobId: 'j', cost: 1, weight: 1, id: 1 });
  queue.push({ user: 'u', jobId: 'j', cost: 1, weight: 1, id: 2 }, true);
  assert.equal(queue.peek()!.id, 2);
});

test('fair queue: a later call of the job whose turn it is can go first, and is charged to that job', () => {
  const queue = new FairQueue<FairEntry & { id: number }>();
  for (let id = 0; id < 4; id++) queue.push({ user: 'u', jobId: 'a', cost: 10 * (id + 1), weight: 1, id });
  queue.push({ user: 'u', jobId: 'b', cost: 10, weight: 1, id: 9 });
  assert.deepEqual(
    queue.nextJob(3).map((entry) => entry.id),
    [0, 1, 2],
    "job a's turn, its first three",
  );
  const third = queue.nextJob(3)[2]!;
  assert.equal(queue.shiftEntry(third)?.id, 2);
  assert.equal(queue.size, 4);
  assert.deepEqual(
    queue.nextJob(3).map((entry) => entry.id),
    [9],
    'job a was charged 30, so job b goes next',
  );
  assert.equal(queue.shiftEntry(third), undefined, 'an entry of another job (or gone) is not taken');
});

test("AIMD: one decrease per episode; retry-after does not stretch the debounce (Inspect's bug)", () => {
  const aimd = new AimdRate({ decrease: 0.5, outcomes: 20, increasePerSecond: 0, debounceMs: 2000, floorShare: 0.1 });
  for (let t = 0; t < 10_000; t += 100) aimd.onAdmitted(t, 100);
  assert.equal(aimd.onRateLimited(10_000), true, 'the first 429 starts an episode');
  const first = aimd.rate(10_000)!;
  assert.ok(Math.abs(first - (100 * 100) / 10_000) < 1e-9, 'first estimate: what was admitted per ms since the start');
  assert.equal(aimd.onRateLimited(11_000), false, 'inside the debounce');
  // The provider says "retry after 30 s" again and again: the next episode still starts 2 s after the first.
  assert.equal(aimd.onRateLimited(12_000), true);
  assert.equal(aimd.episodes, 2);
  assert.ok(aimd.rate(12_000)! <= first * 0.5 + 1e-12);
  for (let t = 12_000; t <= 60_000; t += 2000) aimd.onRateLimited(t);
  assert.equal(aimd.episodes, 26, 'steady 429s keep lowering the rate; it never freezes');
});

test('AIMD: the rate grows additively between episodes', () => {
  const aimd = new AimdRate({ decrease: 0.8, outcomes: 20, increasePerSecond: 0.01, debounceMs: 2000, floorShare: 0.3 });
  aimd.onAdmitted(0, 1000);
  aimd.onRateLimited(1000);
  const base = aimd.rate(1000)!;
  assert.ok(Math.abs(aimd.rate(11_000)! - base * 1.1) < 1e-12);
});

test('AIMD: a decrease goes as deep as the share of the latest calls turned away, down to the full step', () => {
  const episode = (rejected: number) => {
    const aimd = new AimdRate({ decrease: 0.8, outcomes: 20, increasePerSecond: 0, debounceMs: 2000, floorShare: 0.3 });
    aimd.onAdmitted(0, 60_000);
    aimd.onRateLimited(1000);
    const before = aimd.rate(1000)!;
    // Of the latest 20 calls, `rejected` met 429s (all but the last within the first episode's debounce).
    for (let i = 1; i < rejected; i++) assert.equal(aimd.onRateLimited(2000), false);
    for (let i = 0; i < 20 - rejected; i++) aimd.onSuccess(1e9, 61_000 + i);
    assert.equal(aimd.onRateLimited(64_000), true);
    return aimd.rate(64_000)! / before;
  };
  assert.ok(Math.abs(episode(1) - 0.95) < 1e-9, `one 429 in 20 calls: ${episode(1)}`);
  assert.ok(Math.abs(episode(2) - 0.9) < 1e-9, `two in 20: ${episode(2)}`);
  assert.ok(Math.abs(episode(10) - 0.8) < 1e-9, `half of them: the full step, ${episode(10)}`);
});

test("Little's law: calls in flight = rate × latency, with headroom, between a floor and the ceiling", () => {
  assert.equal(littlesLawCap(10 / 1000, 3000), 62); // 10 calls/s × 3 s × 2 + 2
  assert.equal(littlesLawCap(0.1 / 1000, 500), 4);
  const cap = new ConcurrencyCap(50);
  assert.equal(cap.cap(null, 0), 8, 'slow start before any rate is known');
  cap.onAdmitted();
  assert.equal(cap.cap(null, 0), 9);
  cap.observeLatency(3000);
  assert.equal(cap.cap(1 / 1000, 20), 9, 'not a full bucket at once: the slow start goes on after the first reply');
  for (let i = 0; i < 100; i++) cap.onAdmitted();
  assert.equal(cap.cap(10 / 1000, 0), 50, 'never above the ceiling');
  assert.equal(cap.cap(1 / 1000, 20), 20, 'a full bucket may go out at once, once the slow start has reached it');
});

test('headers: limit sets a bucket, remaining clamps it, carrying forward what was charged since the call was admitted', () => {
  const lane = {
    buckets: new Map<Dimension, TokenBucket>(),
    configured: {} as Partial<Record<Dimension, number>>,
    charged: { requests: 0, tokens: 0, input_tokens: 0, output_tokens: 0 },
  };
  learnFromHeaders(lane, { tokens: { limit: 60_000, remaining: 50_000, resetMs: 10_000 } }, null, 0);
  const tokens = lane.buckets.get('tokens')!;
  assert.equal(tokens.capacity, 60_000);
  assert.equal(tokens.level(0), 50_000);
  // A call admitted at t=0 reports remaining 20 000 (another tenant used the key); we charged 5 000 since, 1 s passed.
  tokens.take(5_000, 0);
  lane.charged.tokens = 5_000;
  learnFromHeaders(lane, { tokens: { remaining: 20_000 } }, { at: 0, charged: { requests: 0, tokens: 0, input_tokens: 0, output_tokens: 0 } }, 1000);
  assert.equal(Math.round(tokens.level(1000)), 20_000 + 1000 - 5_000);
  // A configured limit is a ceiling: headers may lower it, never raise it.
  const configured = {
    buckets: new Map([['requests' as Dimension, new TokenBucket(100, 100 / 60_000, 0)]]),
    configured: { requests: 100 },
    charged: lane.charged,
  };
  learnFromHeaders(configured, { requests: { limit: 500 } }, null, 0);
  assert.equal(configured.buckets.get('requests')!.capacity, 100);
  learnFromHeaders(configured, { requests: { limit: 50 } }, null, 0);
  assert.equal(configured.buckets.get('requests')!.capacity, 50);
});

test('a bucket can be reconfigured and clamped without giving back what was taken', () => {
  const bucket = new TokenBucket(1000, 1, 0);
  bucket.take(600, 0);
  bucket.reconfigure(300, 0.5, 0);
  assert.equal(bucket.level(0), 300);
  bucket.clamp(100, 0);
  assert.equal(bucket.level(0), 100);
  assert.equal(bucket.waitFor(200, 0), 200);
});

test('refill learning: remaining + net charges grows at the refill we really get', () => {
  // A 60 000/min bucket (1 per ms) of which another tenant takes 30%: we see 0.7 per ms. The first reading shows it
  // nearly full, as a lane's first call finds a key (see pessimism.test.ts for a provider that never shows that).
  const learner = new RefillLearner();
  learner.observe(-1_000, 59_000, 0, 60_000, 1);
  let charged = 0;
  let rate: number | null = null;
  for (let at = 0; at <= 20_000; at += 500) {
    charged += 350;
    // We take exactly what refills, so the provider's remaining stands still while our charges grow 0.7 per ms.
    rate = learner.observe(at, 1_000, charged, 60_000, 1);
  }
  assert.ok(rate !== null && Math.abs(rate - 0.7) < 0.01, `learned ${rate}`);
});

test('prompt estimates are charged at the 90th percentile of the ratios the provider counted over the latest 100 calls', () => {
  const lane = new Lane('mock/model', { tokensPerMinute: 60_000 }, 256, 0);
  const ticket = { tokens: 300, inputTokens: 100, outputTokens: 200 };
  const counted = (ratio: number) => lane.learnEstimate(ticket, { input: Math.round(100 * ratio), output: 50 });
  [1.0, 1.02, 1.05, 0.97].forEach(counted);
  assert.deepEqual(lane.costsOf(ticket), ticket, 'too few calls to say: charged as estimated');
  counted(1.01);
  assert.equal(lane.costsOf(ticket).inputTokens, 105, 'with few calls, the largest ratio seen');
  assert.equal(lane.costsOf(ticket).tokens, 305, 'max_tokens is not scaled');
  assert.equal(lane.costsOf(ticket, 1.1).inputTokens, Math.ceil(100 * 1.05 * 1.1), 'times the inflation of a call turned away');
  for (let i = 0; i < 95; i++) counted(1.0);
  assert.equal(lane.costsOf(ticket).inputTokens, 100, 'three large ratios of 100 are not covered');
  for (let i = 0; i < 15; i++) counted(1.03);
  assert.equal(lane.costsOf(ticket).inputTokens, 103, 'fifteen of the latest 100 are: the first calls are gone');
});

test('a call turned away after a 429 message counted it as sent gets its charge back; one sent after the message keeps it', () => {
  // A lane that hears only 429s: three calls of 500 tokens go out at 0, 1 and 2 ms; the provider turns the first
  // away at 10 ms with 200 of 60,000 left. Its bucket is set net of the two calls sent since: about -790.
  const lane = new Lane('mock/model', null, 256, 0);
  const ticket = { tokens: 500, inputTokens: 300, outputTokens: 200 };
  const [a, b, c] = [0, 1, 2].map((at) => lane.charge(ticket, at));
  const message = { tokens: { limit: 60_000, used: 59_800, requested: 500 } };
  lane.refund(a!, 10);
  lane.learn(message, a!, 10);
  const tokens = lane.buckets.get('tokens')!;
  assert.ok(Math.abs(tokens.level(10) - -790) < 1, `level ${tokens.level(10)}`);
  // The second is turned away too: the provider never counted it, and the message read at 10 ms took it off.
  lane.refund(b!, 11);
  assert.ok(Math.abs(tokens.level(11) - -289) < 1, `given back: level ${tokens.level(11)}`);
  // A call sent after the latest message was charged only by taking from the bucket: turned away, it keeps that
  // charge until a reading says otherwise (given back, it would let calls in before the provider has room).
  lane.learn(message, b!, 12);
  const d = lane.charge(ticket, 13);
  const before = tokens.level(13);
  lane.refund(d, 13);
  assert.equal(tokens.level(13), before);
  lane.finished(c!);
});

test('window bucket: the quota is spent at once, comes back whole at the window end, and follows what the provider leaves us', () => {
  // 10 s windows of 10 000 tokens; our first reading says 3 000 of them were already taken by someone else.
  const clock = new WindowClock();
  clock.observe('tokens', 0, 9_000, 10_000, 60_000, 1);
  clock.observe('tokens', 0, 5_000, 10_000, 60_000, 1);
  assert.equal(clock.windowed, true);
  const bucket = new WindowBucket(10_000, clock, 10_000, 50);
  bucket.take(4_000, 50);
  const mark = bucket.mark(50);
  bucket.observe(10_000, 3_000, mark, 0, 10_000, 100);
  assert.equal(bucket.capacity, 7_000, 'remaining + our charges in the window');
  assert.equal(bucket.level(100), 3_000);
  assert.equal(bucket.waitFor(3_500, 100), 9_905, 'no continuous refill: the next window, a margin after its end');
  bucket.giveBack(600, 0, mark, 2_000);
  assert.equal(bucket.waitFor(3_500, 2_000), 0, 'a refund in the same window reopens it');
  bucket.take(3_500, 2_000);
  assert.equal(bucket.waitFor(1, 10_001), 4, 'between the end and the margin, nothing goes');
  // A sliding window looks like a fixed one until its first end: the first new window lets out only the largest call
  // we sent until a reading from inside it shows the window came back whole.
  assert.equal(bucket.waitFor(7_000, 10_010), 0, 'one call, of any size');
  const probe = bucket.admit(4_000, 10_010);
  assert.ok(bucket.waitFor(1, 10_020) > 0, 'and no more, until a reading from the new window');
  bucket.observe(20_000, 3_000, probe, 0, 10_000, 10_400);
  assert.equal(bucket.contradicted, false);
  assert.equal(bucket.level(10_400), 3_000, 'whole again: the rest of the quota');
  assert.equal(bucket.level(20_010), 7_000, 'the whole quota once the next window turned over');
  // A reading from a window already over says nothing about this one; our estimate's excess stays with it too.
  bucket.observe(10_000, 0, mark, 0, 10_000, 20_011);
  bucket.giveBack(0, 500, mark, 20_012);
  assert.equal(bucket.level(20_012), 7_000);
});

test('window bucket: a window that does not come back whole at its first end is contradicted (a sliding window)', () => {
  const clock = new WindowClock();
  clock.observe('tokens', 0, 9_000, 10_000, 60_000, 1);
  clock.observe('tokens', 0, 5_000, 10_000, 60_000, 1);
  const bucket = new WindowBucket(10_000, clock, 10_000, 50);
  bucket.take(9_000, 50);
  const probe = bucket.admit(500, 10_010);
  // Only the oldest call left a sliding window: 1,000 are left, not the 9,500 a fixed one would have.
  bucket.observe(20_000, 500, probe, 0, 10_000, 10_400);
  assert.equal(bucket.contradicted, true);
});

test("before the first reply, no more than a second's share is in flight, until a streamed reply's headers show windows", () => {
  const lane = new Lane('mock/model', { tokensPerMinute: 60_000 }, 256, 0);
  const first = { tokens: 600, inputTokens: 400, outputTokens: 200 };
  const mark = lane.charge(first, 0);
  const next = { tokens: 450, inputTokens: 250, outputTokens: 200 };
  assert.ok(lane.wait(next, 10).ms > 0, '600 + 450 in flight is more than a second of 60,000 a minute');
  // The first call's headers, 400 ms in: 9,400 left and full again at 10 s, where a continuous bucket of 60,000 a
  // minute would need 50 s: 10 s windows, whose bucket knows what is left of each.
  lane.learn({ tokens: { limit: 60_000, remaining: 9_400, resetMs: 10_000 } }, mark, 400);
  assert.equal(lane.windowed, true);
  assert.equal(lane.latencyMs, null, 'no reply has come back');
  assert.equal(lane.wait(next, 410).ms, 0, 'the window has room for it');
  // Calls that go out together in a window cannot be corrected before it overflows: until five calls are back, a
  // windowed lane charges a tenth over our estimates (a continuous bucket charges them as they are).
  assert.equal(lane.costsOf(next).inputTokens, Math.ceil(250 * 1.1));
  const bucketLane = new Lane('mock/model', { tokensPerMinute: 60_000 }, 256, 0);
  assert.equal(bucketLane.costsOf(next).inputTokens, 250);
  assert.ok(lane.wait({ tokens: 9_500, inputTokens: 9_300, outputTokens: 200 }, 410).ms > 9_000, 'not for more than it has left');
});
