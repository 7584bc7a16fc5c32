// Admits calls to providers: one lane per (service, model), shared by every job on the server.
// A lane has a bucket per limited dimension (configured, learned from headers, or AIMD when the provider says
// nothing), a pause after a 429, a concurrency cap from Little's law, and a weighted fair queue across users,
// then across the jobs of a user. The scheduler owns retries: providers never retry on their own.
import { ProviderError, type RateLimitSnapshot } from '../providers/provider';
import { realClock, type Clock } from './clock';
import { DIMENSION_WORDS, type Usage } from './dimensions';
import type { AdmissionMark } from './header-learning';
import { Lane, type LaneLimits } from './lane';
import { promptShortfall } from './rejection';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-policy';
import { planWindowPacking } from './window-packing';

export type { LaneLimits } from './lane';

export interface CallTicket {
  /** `service/model` */
  lane: string;
  user: string;
  jobId: string;
  /** Tokens the provider will charge at admission: prompt + max_tokens. */
  tokens: number;
  /** The prompt's share of `tokens` and max_tokens, for providers that limit input and output separately. */
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
}

/** What a successful call used (a number is input + output) and the rate-limit headers of its reply. */
export interface Outcome {
  usage: number | Usage;
  limits?: RateLimitSnapshot | null | undefined;
}

/** Called by a call that streams with its reply's rate-limit headers, as soon as they arrive. */
export type EarlyLimits = (limits: RateLimitSnapshot | null | undefined) => void;

export interface SchedulerNotice {
  jobId: string;
  type: 'rate_limited' | 'retried' | 'limits';
  lane: string;
  message: string;
}

export interface SchedulerOptions {
  clock?: Clock;
  limitsFor?: (lane: string) => LaneLimits | null;
  retry?: Partial<RetryPolicy>;
  /** Most calls in flight per lane when its limits do not say otherwise. */
  defaultConcurrency?: number;
  /** A user's share of a contended lane relative to others (default 1). */
  userWeight?: (user: string) => number;
  notify?: (notice: SchedulerNotice) => void;
  random?: () => number;
}

interface Waiting {
  ticket: CallTicket;
  /** How much larger than its estimate the provider found it, when it turned it away before. */
  inflation: number;
  user: string;
  jobId: string;
  cost: number;
  weight: number;
  resolve: (mark: AdmissionMark) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/** A lane waiting for anything looks again at least this often: a wait it cannot bound must not stall it for good. */
const LONGEST_SLEEP_MS = 60_000;
/** Waits shorter than this are not worth a line in the job log. */
const NOTICE_WAIT_MS = 1000;

export class Scheduler {
  private readonly lanes = new Map<string, Lane<Waiting>>();
  private readonly marks = new WeakMap<CallTicket, AdmissionMark>();
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;

  constructor(private readonly options: SchedulerOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.random = options.random ?? Math.random;
  }

  /**
   * Runs `attempt` when the lane admits it, retrying as the failure's kind says.
   * Fatal provider errors and anything that is not a ProviderError are thrown at once.
   */
  async run<T>(
    ticket: CallTicket,
    attempt: (attemptNumber: number, early: EarlyLimits) => Promise<T>,
    signal: AbortSignal,
    outcome?: (result: T) => Outcome,
  ): Promise<T> {
    const lane = this.lane(ticket.lane);
    let failures = 0;
    let limitedSince: number | null = null;
    let failedSince: number | null = null;
    let atHead = false;
    let inflation = 1;
    for (let attemptNumber = 0; ; attemptNumber++) {
      const mark = await this.admit(lane, ticket, inflation, signal, atHead);
      this.marks.set(ticket, mark);
      const started = this.clock.now();
      let error: unknown;
      // A streamed reply's headers come with its first token: read then, not again when the reply is done.
      let readEarly = false;
      const early: EarlyLimits = (limits) => {
        if (readEarly) return;
        readEarly = true;
        // Headers with a 200 mean the provider admitted the call.
        lane.admitted(mark, this.clock.now());
        if (limits) lane.learn(limits, mark, this.clock.now());
        this.say(lane, ticket);
        this.pump(lane);
      };
      try {
        const result = await attempt(attemptNumber, early);
        const finished = this.clock.now();
        if (!readEarly) lane.admitted(mark, finished);
        lane.onSuccess(ticket, finished - started, finished);
        // Learned before the lane lets anyone else in: this reply's headers may say the bucket is not what we thought.
        if (outcome) {
          const { usage, limits } = outcome(result);
          this.reconcile(ticket, usage, readEarly ? null : limits);
        }
        return result;
      } catch (caught) {
        error = caught;
        // What the failure teaches is learned before the lane lets anyone else in.
        if (caught instanceof ProviderError) inflation = this.learnFromFailure(lane, caught, mark, inflation);
      } finally {
        this.say(lane, ticket);
        lane.finished(mark);
        lane.queue.returned(ticket.user, ticket.tokens);
        this.pump(lane);
      }
      if (!(error instanceof ProviderError) || error.kind === 'fatal' || signal.aborted) throw error;
      const now = this.clock.now();
      if (error.kind === 'rate_limited') {
        lane.onRateLimited({ ms: error.retryAfterMs, hinted: error.retryAfterHinted }, error.limits, mark, now, this.random);
        this.say(lane, ticket);
        limitedSince ??= now;
        if (now - Math.max(limitedSince, lane.admittedAt) > this.retry.rateLimitPatienceMs) throw error;
        const pause = Math.max(0, lane.pausedUntil - now);
        this.notify(ticket, 'rate_limited', `${ticket.lane}: rate limited${pause > 0 ? `, pausing ${(pause / 1000).toFixed(1)} s` : ''}: ${error.message}`);
        atHead = true;
        this.pump(lane);
        continue;
      }
      // Overload and transient failures back off this call only: the limit is not to blame. An overload with other
      // calls out may be a limit on calls at once, and while the provider admits other calls it is no reason to fail.
      failedSince ??= now;
      if (error.kind === 'overloaded') {
        lane.overCapacity(mark, now);
        this.say(lane, ticket);
      }
      const admitting = error.kind === 'overloaded' && lane.admittedAt > failedSince && now - failedSince < this.retry.rateLimitPatienceMs;
      if (++failures >= this.retry.maxAttempts && !admitting) throw error;
      const delay = retryDelayMs(error, failures - 1, this.retry, this.random);
      this.notify(
        ticket,
        'retried',
        `${ticket.lane}: retrying in ${(delay / 1000).toFixed(1)} s (try ${failures + 1} of ${this.retry.maxAttempts}): ${error.message}`,
      );
      await this.clock.sleep(delay, signal);
      atHead = true;
    }
  }

  /**
   * Corrects the buckets once the provider reports (`run` does it itself when given the call's `outcome`) what a call really used (a number is input + output),
   * and learns from the rate-limit headers of its reply.
   */
  reconcile(ticket: CallTicket, actual: number | Usage, limits?: RateLimitSnapshot | null): void {
    const lane = this.lanes.get(ticket.lane);
    if (!lane) return;
    const now = this.clock.now();
    const mark = this.marks.get(ticket) ?? null;
    if (limits) lane.learn(limits, mark, now);
    const usage: Usage = typeof actual === 'number' ? { input: actual - (ticket.outputTokens ?? 0), output: ticket.outputTokens ?? 0 } : actual;
    if (typeof actual === 'number' && ticket.outputTokens === undefined) usage.input = actual;
    if (typeof actual !== 'number') lane.learnEstimate(ticket, usage);
    lane.reconcile(mark?.costs ?? ticket, usage, now, mark);
    this.pump(lane);
  }

  /** A failed call's headers; for a 429, the charge the provider never made. Returns the call's new inflation. */
  private learnFromFailure(lane: Lane<Waiting>, error: ProviderError, mark: AdmissionMark, inflation: number): number {
    if (!error.limits) return inflation;
    const now = this.clock.now();
    if (error.kind === 'rate_limited') {
      lane.refund(mark, now);
      // Turned away with room we thought enough: the provider counts this prompt larger than we do.
      inflation = Math.max(inflation, promptShortfall(mark, error.limits));
    }
    lane.learn(error.limits, mark, now, error.kind !== 'rate_limited');
    return inflation;
  }

  /** Calls waiting or running, per lane: for the log and tests. */
  snapshot(): Record<string, { inflight: number; waiting: number }> {
    const out: Record<string, { inflight: number; waiting: number }> = {};
    for (const [name, lane] of this.lanes) out[name] = { inflight: lane.inflight, waiting: lane.queue.size };
    return out;
  }

  /** What a lane believes about its limits: for tests and the benchmark. */
  laneState(name: string): { cap: number; perMinute: Record<string, number>; blindRatePerMinute: number | null } | null {
    const lane = this.lanes.get(name);
    if (!lane) return null;
    const perMinute: Record<string, number> = {};
    for (const [dimension, bucket] of lane.buckets) perMinute[dimension] = bucket.rate * 60_000;
    const rate = lane.aimd.rate(this.clock.now());
    return { cap: lane.cap(), perMinute, blindRatePerMinute: rate === null ? null : rate * 60_000 };
  }

  private lane(name: string): Lane<Waiting> {
    let lane = this.lanes.get(name);
    if (!lane) {
      lane = new Lane<Waiting>(name, this.options.limitsFor?.(name) ?? null, this.options.defaultConcurrency ?? 256, this.clock.now());
      this.lanes.set(name, lane);
    }
    return lane;
  }

  private admit(lane: Lane<Waiting>, ticket: CallTicket, inflation: number, signal: AbortSignal, atHead: boolean): Promise<AdmissionMark> | AdmissionMark {
    signal.throwIfAborted();
    const now = this.clock.now();
    const weight = this.options.userWeight?.(ticket.user) ?? 1;
    // Fast path: nobody waiting, room to run, buckets allow it now, and no other user is owed the throughput.
    if (lane.queue.size === 0 && lane.inflight < lane.cap() && !this.holding(lane, ticket.user, now)) {
      const costs = lane.costsOf(ticket, inflation);
      if (lane.wait(costs, now).ms === 0) {
        lane.queue.admitted({ user: ticket.user, jobId: ticket.jobId, cost: ticket.tokens, weight });
        return lane.charge(costs, now);
      }
    }
    return new Promise<AdmissionMark>((resolve, reject) => {
      const entry: Waiting = {
        ticket,
        inflation,
        user: ticket.user,
        jobId: ticket.jobId,
        cost: ticket.tokens,
        weight,
        resolve,
        reject,
        signal,
        onAbort: () => {
          lane.queue.remove(entry);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', entry.onAbort, { once: true });
      lane.queue.push(entry, atHead);
      this.pump(lane);
    });
  }

  private pump(lane: Lane<Waiting>): void {
    for (;;) {
      const next = lane.queue.peek();
      if (!next || lane.inflight >= lane.cap()) return;
      const now = this.clock.now();
      if (lane.windowed && now >= lane.pausedUntil) {
        const packed = this.packWindow(lane, now);
        if (packed === 'admitted') continue;
        if (packed === 'deferred') return;
      }
      if (this.holding(lane, next.user, now)) return;
      // Costed now, not when queued: the lane's correction of our estimates keeps learning meanwhile.
      const costs = lane.costsOf(next.ticket, next.inflation);
      const wait = lane.wait(costs, now);
      if (wait.ms > 0) {
        this.wake(lane, wait.ms);
        if (wait.dimension && wait.ms >= NOTICE_WAIT_MS) {
          this.notify(next.ticket, 'rate_limited', `waiting ${(wait.ms / 1000).toFixed(1)} s for ${DIMENSION_WORDS[wait.dimension]} on ${lane.name}`);
        }
        return;
      }
      lane.queue.shift();
      this.admitEntry(next, lane.charge(costs, now));
    }
  }

  /** Fixed windows: which call fills the window best, and when (window-packing.ts). */
  private packWindow(lane: Lane<Waiting>, now: number): 'admitted' | 'deferred' | 'none' {
    const packing = planWindowPacking(lane, now);
    if (packing.kind === 'deferred') this.wake(lane, packing.wakeInMs);
    if (packing.kind !== 'admit') return packing.kind;
    // Taken from the queue before it is charged: an entry admitted but left queued would be charged again.
    if (!lane.queue.shiftEntry(packing.entry)) return 'none';
    this.admitEntry(packing.entry, lane.charge(packing.costs, now));
    return 'admitted';
  }

  /**
   * Weighted fairness in throughput, not only in admissions: a user who has had its share while another user's
   * calls are still out waits for them to come back, as long as waiting loses the lane no refill. Wakes the lane
   * when the hold would start to cost (a returning call wakes it sooner).
   */
  private holding(lane: Lane<Waiting>, user: string, now: number): boolean {
    if (!lane.queue.aheadOfBusy(user)) return false;
    const ms = lane.holdMs(now);
    if (ms <= 0) return false;
    this.wake(lane, ms);
    return true;
  }

  private admitEntry(entry: Waiting, mark: AdmissionMark): void {
    entry.signal.removeEventListener('abort', entry.onAbort);
    entry.resolve(mark);
  }

  /** One timer per lane for its earliest wake-up; an earlier need arms another. */
  private wake(lane: Lane<Waiting>, waitMs: number): void {
    const afterMs = Math.min(LONGEST_SLEEP_MS, Math.max(1, waitMs));
    const at = this.clock.now() + afterMs;
    if (lane.wakeAt <= at) return;
    lane.wake(at);
    void this.clock.sleep(afterMs).then(() => {
      lane.wake(at, true);
      this.pump(lane);
    });
  }

  /** What the lane came to believe since, in the log of the job whose call taught it. */
  private say(lane: Lane<Waiting>, ticket: CallTicket): void {
    for (const words of lane.takeWords()) this.notify(ticket, 'limits', `${lane.name}: ${words}`);
  }

  private notify(ticket: CallTicket, type: SchedulerNotice['type'], message: string): void {
    this.options.notify?.({ jobId: ticket.jobId, type, lane: ticket.lane, message });
  }
}
