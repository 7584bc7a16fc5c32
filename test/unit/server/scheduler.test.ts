import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../../../src/server/scheduler/bucket';
import { Scheduler, type CallTicket } from '../../../src/server/scheduler/scheduler';
import { retryDelayMs, DEFAULT_RETRY_POLICY } from '../../../src/server/scheduler/retry-policy';
import { ProviderError } from '../../../src/server/providers/provider';
import { VirtualClock } from '../../support/virtual-clock';

const ticket = (jobId: string, tokens = 100, lane = 'svc/model'): CallTicket => ({ lane, user: 'u', jobId, tokens });
const never = new AbortController().signal;

test('a token bucket starts full, drains, and refills at its rate', () => {
  const bucket = new TokenBucket(600, 10 / 1000, 0); // 600 capacity, 10 per second
  assert.equal(bucket.waitFor(600, 0), 0);
  bucket.take(600, 0);
  assert.equal(bucket.waitFor(10, 0), 1000);
  assert.equal(bucket.waitFor(10, 500), 500);
  assert.equal(bucket.waitFor(10, 1000), 0);
});

test('a token bucket gives back what a call did not use, never above capacity', () => {
  const bucket = new TokenBucket(1000, 1 / 1000, 0);
  bucket.take(800, 0);
  bucket.adjust(300, 0); // the call used 500 of the 800 charged
  assert.equal(bucket.waitFor(500, 0), 0);
  assert.equal(bucket.waitFor(501, 0), 1000);
  bucket.adjust(10_000, 0);
  assert.equal(bucket.waitFor(1000, 0), 0);
  assert.equal(bucket.waitFor(1001, 0), 0, 'amounts above capacity wait only for a full bucket');
});

test('retry-after from the provider wins over backoff, with a little jitter', () => {
  const error = new ProviderError('rate_limited', 'slow down', 2000, 429);
  const delay = retryDelayMs(error, 3, DEFAULT_RETRY_POLICY, () => 0.5);
  assert.ok(delay >= 2000 && delay <= 2000 + 1000, `delay ${delay}`);
  const transient = new ProviderError('transient', 'oops');
  const first = retryDelayMs(transient, 0, DEFAULT_RETRY_POLICY, () => 1);
  const late = retryDelayMs(transient, 20, DEFAULT_RETRY_POLICY, () => 1);
  assert.equal(first, DEFAULT_RETRY_POLICY.baseDelayMs);
  assert.equal(late, DEFAULT_RETRY_POLICY.maxDelayMs, 'backoff is capped');
});

test('requests per minute are enforced: the 61st call of a 60 rpm lane waits a second', async () => {
  const clock = new VirtualClock();
  const scheduler = new Scheduler({ clock, limitsFor: () => ({ requestsPerMinute: 60 }) });
  const started: number[] = [];
  const calls = Array.from({ length: 62 }, () => scheduler.run(ticket('j'), async () => started.push(clock.now()), never));
  await clock.advance(0);
  assert.equal(started.length, 60, 'a full bucket admits a burst of its capacity');
  await clock.advance(999);
  assert.equal(started.length, 60);
  await clock.advance(1);
  assert.equal(started.length, 61);
  await clock.advance(1000);
  assert.equal(started.length, 62);
  await Promise.all(calls);
});

test('waiting calls are served round-robin across jobs', async () => {
  const clock = new VirtualClock();
  const scheduler = new Scheduler({ clock, limitsFor: () => ({ maxConcurrency: 1 }) });
  const order: string[] = [];
  let release: () => void = () => {};
  const gate = () => new Promise<void>((resolve) => (release = resolve));
  const runs: Promise<unknown>[] = [];
  for (let i = 0; i < 4; i++)
    runs.push(
      scheduler.run(
        ticket('big'),
        async () => {
          order.push('big');
          await gate();
        },
        never,
      ),
    );
  runs.push(
    scheduler.run(
      ticket('small'),
      async () => {
        order.push('small');
        await gate();
      },
      never,
    ),
  );
  for (let i = 0; i < 5; i++) {
    await clock.advance(0);
    release();
  }
  await Promise.all(runs);
  assert.deepEqual(order, ['big', 'big', 'small', 'big', 'big'], 'the small job is not stuck behind the big one');
});

test('before its first reply, a lane with configured limits sends no more than a second of them', async () => {
  const clock = new VirtualClock();
  // 6,000 tokens a minute: 100 a second, which holds one call of 60 tokens; a provider with 1-second windows
  // would turn the second away.
  const scheduler = new Scheduler({ clock, limitsFor: () => ({ tokensPerMinute: 6000 }) });
  const started: number[] = [];
  let reply!: () => void;
  const first = scheduler.run(
    ticket('j', 60),
    () =>
      new Promise<void>((resolve) => {
        started.push(clock.now());
        reply = resolve;
      }),
    never,
  );
  const rest = Array.from({ length: 3 }, () =>
    scheduler.run(
      ticket('j', 60),
      async () => {
        started.push(clock.now());
      },
      never,
    ),
  );
  await clock.advance(1000);
  assert.deepEqual(started, [0], 'one call until the provider has answered');
  reply();
  await first;
  await clock.advance(0);
  assert.equal(started.length, 4, 'then the bucket lets out what it holds');
  await Promise.all(rest);
});

test('a first call that fails is no longer in flight: the lane waiting for its first reply goes on', async () => {
  const clock = new VirtualClock();
  const scheduler = new Scheduler({ clock, limitsFor: () => ({ tokensPerMinute: 6000 }), retry: { baseDelayMs: 10, maxDelayMs: 10 }, random: () => 0 });
  let tries = 0;
  const first = scheduler.run(
    ticket('j', 60),
    async () => {
      if (++tries === 1) throw new ProviderError('transient', 'bad gateway', null, 502);
      return 'ok';
    },
    never,
  );
  const second = scheduler.run(ticket('j', 60), async () => 'ok', never);
  await clock.advance(2000);
  assert.equal(await first, 'ok');
  assert.equal(await second, 'ok');
  assert.equal(tries, 2);
});

test('a 429 pauses the lane until retry-after and the call goes again first', async () => {
  const clock = new VirtualClock();
  const notices: string[] = [];
  const scheduler = new Scheduler({ clock, random: () => 0, limitsFor: () => ({ requestsPerMinute: 6000 }), notify: (n) => notices.push(n.type) });
  let tries = 0;
  const result = scheduler.run(
    ticket('j'),
    async () => {
      tries++;
      if (tries === 1) throw new ProviderError('rate_limited', 'tokens per min', 3000, 429);
      return 'ok';
    },
    never,
  );
  await clock.advance(0);
  assert.equal(tries, 1);
  let other = false;
  const second = scheduler.run(
    ticket('j'),
    async () => {
      other = true;
    },
    never,
  );
  await clock.advance(2000);
  assert.equal(other, false, 'the lane is paused for everyone');
  await clock.advance(1100);
  assert.equal(await result, 'ok');
  await second;
  assert.equal(tries, 2);
  assert.deepEqual(notices, ['rate_limited']);
});

test('fatal errors are not retried; transient ones are, up to the limit', async () => {
  const clock = new VirtualClock();
  const scheduler = new Scheduler({ clock, random: () => 0, retry: { maxAttempts: 3, baseDelayMs: 10 } });
  let fatalTries = 0;
  await assert.rejects(
    scheduler.run(
      ticket('j'),
      async () => {
        fatalTries++;
        throw new ProviderError('fatal', 'invalid api key', null, 401);
      },
      never,
    ),
    /invalid api key/,
  );
  assert.equal(fatalTries, 1);

  let transientTries = 0;
  const failing = scheduler.run(
    ticket('j'),
    async () => {
      transientTries++;
      throw new ProviderError('transient', 'bad gateway', null, 502);
    },
    never,
  );
  failing.catch(() => {});
  await clock.advance(1000);
  await assert.rejects(failing, /bad gateway/);
  assert.equal(transientTries, 3);
});

test('a call waiting in the queue is dropped when its signal aborts', async () => {
  const clock = new VirtualClock();
  const scheduler = new Scheduler({ clock, limitsFor: () => ({ requestsPerMinute: 1 }) });
  await scheduler.run(ticket('j'), async () => 1, never);
  const controller = new AbortController();
  let ran = false;
  const waiting = scheduler.run(
    ticket('j'),
    async () => {
      ran = true;
    },
    controller.signal,
  );
  controller.abort(new Error('cancelled'));
  await assert.rejects(waiting, /cancelled/);
  await clock.advance(120_000);
  assert.equal(ran, false);
  assert.deepEqual(scheduler.snapshot()['svc/model'], { inflight: 0, waiting: 0 });
});

/**
 * Two users at weights 1 (ana) and 2 (cai) on a lane of 6,000 tokens a minute (100 a second, half full at 3,000),
 * its bucket emptied first by sixty calls of 100 tokens: cai's three calls and ana's forty, 100 tokens each, all
 * wait for tokens. Their calls stay out until the test lets them back.
 */
async function contendedLane() {
  const clock = new VirtualClock();
  const scheduler = new Scheduler({ clock, limitsFor: () => ({ tokensPerMinute: 6000 }), userWeight: (user) => (user === 'cai' ? 2 : 1) });
  const call = (user: string): CallTicket => ({ lane: 'svc/model', user, jobId: user, tokens: 100 });
  // 60 calls of 100 ms empty the bucket: 8, then 16, 32 and the last 4 as the slow start doubles each round trip.
  const warm = Array.from({ length: 60 }, () => scheduler.run(call('x'), () => clock.sleep(100), never));
  await clock.advance(400);
  await Promise.all(warm);
  const started: string[] = [];
  const out: Record<string, (() => void)[]> = { ana: [], cai: [] };
  const run = (user: 'ana' | 'cai') =>
    scheduler.run(
      call(user),
      () =>
        new Promise<void>((resolve) => {
          started.push(user);
          out[user]!.push(resolve);
        }),
      never,
    );
  const runs = [...Array.from({ length: 3 }, () => run('cai')), ...Array.from({ length: 40 }, () => run('ana'))];
  const letBack = (user: string) => out[user]!.splice(0).forEach((resolve) => resolve());
  const finish = async () => {
    for (let i = 0; i < 60 && started.length < runs.length; i++) {
      letBack('ana');
      letBack('cai');
      await clock.advance(1000);
    }
    letBack('ana');
    await Promise.all(runs);
  };
  return { clock, started, letBack, finish };
}

test('a user who had its share waits while the calls of a user with a larger weight are still out', async () => {
  const { clock, started, letBack, finish } = await contendedLane();
  await clock.advance(10_000);
  // One call a second, cai's weight twice ana's: cai's three are out by 4 s, with ana's share beside them.
  assert.deepEqual(started, ['cai', 'ana', 'cai', 'cai', 'ana'], 'ana waits for cai although the bucket holds tokens');
  letBack('cai');
  await clock.advance(0);
  assert.equal(started.length, 10, "cai's calls back: the 500 tokens saved meanwhile let ana's next five go at once");
  await finish();
  assert.equal(started.length, 43);
});

test("the wait for another user's calls ends when it would cost the lane refill (its bucket half full)", async () => {
  const { clock, started, finish } = await contendedLane();
  await clock.advance(30_000);
  assert.equal(started.length, 5, 'still waiting for cai at 30 s');
  await clock.advance(7000);
  // Half full at 36 s: from then on ana goes at the lane's rate, one call a second, while cai is still out.
  assert.deepEqual(started.slice(5), ['ana', 'ana', 'ana'], 'by 37 s the bucket has had 3,000 tokens and ana goes on');
  await finish();
});

test("a streamed reply's limits are learned when its headers come, before the reply, and not again after it", async () => {
  const clock = new VirtualClock();
  const scheduler = new Scheduler({ clock });
  let finish!: () => void;
  let told!: () => void;
  const headersIn = new Promise<void>((resolve) => (told = resolve));
  const run = scheduler.run(
    { ...ticket('j'), inputTokens: 50, outputTokens: 50 },
    async (_attempt, early) => {
      early({ tokens: { limit: 6_000, remaining: 5_000, resetMs: 10_000 } });
      told();
      await new Promise<void>((resolve) => (finish = resolve));
      return 'done';
    },
    never,
    () => ({ usage: { input: 50, output: 20 }, limits: { tokens: { limit: 600_000, remaining: 1, resetMs: 10 } } }),
  );
  await headersIn;
  assert.equal(scheduler.laneState('svc/model')?.perMinute.tokens, 6_000, 'learned while the reply is still coming');
  finish();
  assert.equal(await run, 'done');
  assert.equal(scheduler.laneState('svc/model')?.perMinute.tokens, 6_000, 'the same headers are not read twice');
});
