// The strategies compared: three peers' (as their docs and code describe them), a naive client, and ours in three
// situations. Each runs every call of a workload against `call`, on the given clock, until it is done or given up on.
import { ProviderError, type CallReply, type RateLimitSnapshot } from '../../../src/server/providers/provider';
import type { Clock } from '../../../src/server/scheduler/clock';
import { Scheduler, type CallTicket, type LaneLimits } from '../../../src/server/scheduler/scheduler';
import type { SimCall } from './scenarios';

export const STRATEGIES = ['fixed-backoff', 'aimd', 'cookbook', 'honour-retry-after', 'fieldwork-configured', 'fieldwork-headers', 'fieldwork-blind'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export interface RunContext {
  clock: Clock;
  calls: readonly SimCall[];
  known: LaneLimits;
  weights: Record<string, number>;
  random: () => number;
  /** `early`: the call streams, and is told its reply's rate-limit headers with its first token. */
  call(call: SimCall, early?: (limits: RateLimitSnapshot | null) => void): Promise<CallReply>;
  done(call: SimCall, reply: CallReply): void;
  /** The strategy gave up on the call (the peers never do). */
  failed(call: SimCall, error: unknown): void;
}

export function strategy(name: StrategyName): (ctx: RunContext) => Promise<void> {
  switch (name) {
    case 'fixed-backoff':
      return fixedBackoff;
    case 'aimd':
      return inspectAimd;
    case 'cookbook':
      return cookbook;
    case 'honour-retry-after':
      return honourRetryAfter;
    case 'fieldwork-configured':
      return (ctx) => fieldwork(ctx, ctx.known);
    case 'fieldwork-headers':
    case 'fieldwork-blind':
      return (ctx) => fieldwork(ctx, null);
  }
}

/** Inspect's retry wait: exponential from 3 s with up to a second of jitter, capped at a minute. */
function inspectBackoff(attempt: number, random: () => number): number {
  return Math.min(60_000, 3000 * 2 ** attempt) + random() * 1000;
}

function retryable(error: unknown): error is ProviderError {
  return error instanceof ProviderError && error.kind !== 'fatal';
}

/**
 * Ten connections, each taking the next call and retrying it, after the wait `retryWait` names, until it succeeds.
 * The peers (a) and (d) differ only in that wait.
 */
async function tenConnections(ctx: RunContext, retryWait: (error: ProviderError, attempt: number) => number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < ctx.calls.length) {
      const call = ctx.calls[next++]!;
      for (let attempt = 0; ; attempt++) {
        try {
          ctx.done(call, await ctx.call(call));
          break;
        } catch (error) {
          if (!retryable(error)) throw error;
          await ctx.clock.sleep(retryWait(error, attempt));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
}

/** (a) Inspect until 2025: ten connections, each retrying its call with exponential backoff. */
function fixedBackoff(ctx: RunContext): Promise<void> {
  return tenConnections(ctx, (_error, attempt) => inspectBackoff(attempt, ctx.random));
}

/** Resolves the current waiters when something happens (a call finished, a retry is due). */
class Wakeup {
  private waiters: (() => void)[] = [];
  wait(clock: Clock, ms?: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (ms !== undefined) void clock.sleep(ms).then(resolve);
    });
  }
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/**
 * (b) Inspect 2026: adaptive connections — start at 20, ×0.8 per 429 episode (15 s debounce), +5% per round of
 * calls that kept every connection busy without a 429. Failed calls retry with the same backoff as (a).
 */
async function inspectAimd(ctx: RunContext): Promise<void> {
  const pending: { call: SimCall; attempt: number }[] = ctx.calls.map((call) => ({ call, attempt: 0 }));
  let limit = 20;
  let lastDecrease = -Infinity;
  let inflight = 0;
  let waitingRetries = 0;
  let roundDone = 0;
  let roundSaturated = true;
  let roundLimited = false;
  const wakeup = new Wakeup();
  const launch = (item: { call: SimCall; attempt: number }) => {
    inflight++;
    void ctx.call(item.call).then(
      (reply) => {
        inflight--;
        ctx.done(item.call, reply);
        if (++roundDone >= Math.floor(limit)) {
          if (roundSaturated && !roundLimited) limit *= 1.05;
          roundDone = 0;
          roundSaturated = true;
          roundLimited = false;
        }
        wakeup.notify();
      },
      async (error: unknown) => {
        inflight--;
        if (!retryable(error)) throw error;
        if (error.kind === 'rate_limited') {
          roundLimited = true;
          const now = ctx.clock.now();
          if (now - lastDecrease >= 15_000) {
            limit = Math.max(1, limit * 0.8);
            lastDecrease = now;
          }
        }
        waitingRetries++;
        wakeup.notify();
        await ctx.clock.sleep(inspectBackoff(item.attempt, ctx.random));
        waitingRetries--;
        pending.unshift({ call: item.call, attempt: item.attempt + 1 });
        wakeup.notify();
      },
    );
  };
  while (pending.length > 0 || inflight > 0 || waitingRetries > 0) {
    while (pending.length > 0 && inflight < Math.floor(limit)) launch(pending.shift()!);
    if (pending.length > 0 && inflight < Math.floor(limit)) roundSaturated = false;
    if (pending.length === 0 && inflight < Math.floor(limit)) roundSaturated = false;
    await wakeup.wait(ctx.clock);
  }
}

/**
 * (c) OpenAI's cookbook parallel processor: request and token buckets at the known limits (a minute's capacity),
 * charged prompt + max_tokens and never corrected; after any 429 everyone pauses until 15 s after it; retries first.
 */
async function cookbook(ctx: RunContext): Promise<void> {
  const rpm = ctx.known.requestsPerMinute ?? Infinity;
  const tpm = ctx.known.tokensPerMinute ?? Infinity;
  let requests = rpm;
  let tokens = tpm;
  let updated = ctx.clock.now();
  let lastRateLimit = -Infinity;
  let next = 0;
  let inflight = 0;
  const retries: SimCall[] = [];
  const wakeup = new Wakeup();
  const refill = () => {
    const now = ctx.clock.now();
    // A limit it was not told (Anthropic's are on input and output tokens) does not pace it.
    if (Number.isFinite(rpm)) requests = Math.min(rpm, requests + ((now - updated) * rpm) / 60_000);
    if (Number.isFinite(tpm)) tokens = Math.min(tpm, tokens + ((now - updated) * tpm) / 60_000);
    updated = now;
  };
  for (;;) {
    const call = retries.shift() ?? (next < ctx.calls.length ? ctx.calls[next++] : undefined);
    if (!call) {
      if (inflight === 0) return;
      await wakeup.wait(ctx.clock);
      continue;
    }
    const cost = call.estimatedInput + call.maxTokens;
    for (;;) {
      const sinceLimit = ctx.clock.now() - lastRateLimit;
      // A rest of the pause too small to move the clock (rounding) would spin here for good: the pause is over.
      if (sinceLimit < 15_000 && ctx.clock.now() + (15_000 - sinceLimit) > ctx.clock.now()) {
        await ctx.clock.sleep(15_000 - sinceLimit);
        continue;
      }
      refill();
      if (requests >= 1 && tokens >= Math.min(cost, tpm)) break;
      const waits = [1];
      if (Number.isFinite(rpm)) waits.push(((1 - requests) * 60_000) / rpm);
      if (Number.isFinite(tpm)) waits.push(((Math.min(cost, tpm) - tokens) * 60_000) / tpm);
      const waitMs = Math.max(...waits);
      await ctx.clock.sleep(waitMs);
    }
    requests -= 1;
    tokens -= cost;
    inflight++;
    void ctx.call(call).then(
      (reply) => {
        inflight--;
        ctx.done(call, reply);
        wakeup.notify();
      },
      (error: unknown) => {
        inflight--;
        if (!retryable(error)) throw error;
        if (error.kind === 'rate_limited') lastRateLimit = ctx.clock.now();
        retries.push(call);
        wakeup.notify();
      },
    );
  }
}

/**
 * (d) A naive client: ten connections, each retrying its call after what the provider's retry-after says
 * (`retry-after-ms`, `retry-after`, or OpenAI's "try again in" hint), else after 0.5 s × 2ⁿ capped at 8 s, drawn
 * from its upper half; it never gives up.
 */
function honourRetryAfter(ctx: RunContext): Promise<void> {
  return tenConnections(ctx, (error, attempt) => {
    const backoff = Math.min(8000, 500 * 2 ** attempt);
    return error.retryAfterMs ?? backoff / 2 + (ctx.random() * backoff) / 2;
  });
}

/**
 * (e)–(g) Fieldwork's scheduler: limits configured, or learned from headers, or blind (AIMD), with the scheduler's
 * own retry policy: a call it gives up on is counted as failed, and the others go on.
 */
async function fieldwork(ctx: RunContext, limits: LaneLimits | null): Promise<void> {
  const scheduler = new Scheduler({
    clock: ctx.clock,
    limitsFor: () => limits,
    userWeight: (user) => ctx.weights[user] ?? 1,
    random: ctx.random,
  });
  const never = new AbortController().signal;
  await Promise.all(
    ctx.calls.map(async (call) => {
      const ticket: CallTicket = {
        lane: 'mock/model',
        user: call.user,
        jobId: call.jobId,
        tokens: call.estimatedInput + call.maxTokens,
        inputTokens: call.estimatedInput,
        outputTokens: call.maxTokens,
      };
      try {
        const reply = await scheduler.run(
          ticket,
          (_attempt, early) => ctx.call(call, early),
          never,
          (done) => ({ usage: { input: done.input_tokens, output: done.output_tokens }, limits: done.limits }),
        );
        ctx.done(call, reply);
      } catch (error) {
        ctx.failed(call, error);
      }
    }),
  );
}
