// Admits calls to providers: one lane per (service, model), shared by every job on the server.
// A lane has optional request and token buckets, a concurrency cap and a pause (after a 429);
// waiting calls are served round-robin across jobs so one large job cannot starve the others.
// The scheduler owns retries: providers never retry on their own.
import { ProviderError } from '../providers/provider';
import { TokenBucket } from './bucket';
import { realClock, type Clock } from './clock';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-policy';

export interface CallTicket {
  /** `service/model` */
  lane: string;
  user: string;
  jobId: string;
  /** Tokens the provider will charge at admission: prompt + max_tokens. */
  tokens: number;
}

export interface LaneLimits {
  requestsPerMinute?: number | undefined;
  tokensPerMinute?: number | undefined;
  maxConcurrency?: number | undefined;
}

export interface SchedulerNotice {
  jobId: string;
  type: 'rate_limited' | 'retried';
  lane: string;
  message: string;
}

export interface SchedulerOptions {
  clock?: Clock;
  limitsFor?: (lane: string) => LaneLimits | null;
  retry?: Partial<RetryPolicy>;
  /** Calls in flight per lane when its limits do not say otherwise. */
  defaultConcurrency?: number;
  notify?: (notice: SchedulerNotice) => void;
  random?: () => number;
}

interface Waiting {
  ticket: CallTicket;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

class Lane {
  inflight = 0;
  pausedUntil = 0;
  timerArmed = false;
  /** Waiting calls per job, served round-robin in `jobOrder`. */
  readonly waiting = new Map<string, Waiting[]>();
  readonly jobOrder: string[] = [];
  private nextJob = 0;
  readonly requests: TokenBucket | null;
  readonly tokens: TokenBucket | null;
  readonly concurrency: number;

  constructor(limits: LaneLimits | null, defaultConcurrency: number, now: number) {
    const rpm = limits?.requestsPerMinute;
    const tpm = limits?.tokensPerMinute;
    this.requests = rpm ? new TokenBucket(rpm, rpm / 60_000, now) : null;
    this.tokens = tpm ? new TokenBucket(tpm, tpm / 60_000, now) : null;
    this.concurrency = limits?.maxConcurrency ?? defaultConcurrency;
  }

  get queued(): boolean {
    return this.jobOrder.length > 0;
  }

  enqueue(entry: Waiting, atHead: boolean): void {
    let queue = this.waiting.get(entry.ticket.jobId);
    if (!queue) {
      queue = [];
      this.waiting.set(entry.ticket.jobId, queue);
      this.jobOrder.push(entry.ticket.jobId);
    }
    if (atHead) queue.unshift(entry);
    else queue.push(entry);
  }

  peek(): Waiting | undefined {
    if (this.jobOrder.length === 0) return undefined;
    this.nextJob %= this.jobOrder.length;
    return this.waiting.get(this.jobOrder[this.nextJob]!)?.[0];
  }

  shift(): void {
    const jobId = this.jobOrder[this.nextJob]!;
    const queue = this.waiting.get(jobId)!;
    queue.shift();
    if (queue.length === 0) {
      this.waiting.delete(jobId);
      this.jobOrder.splice(this.nextJob, 1);
    } else {
      this.nextJob++;
    }
  }

  remove(entry: Waiting): void {
    const queue = this.waiting.get(entry.ticket.jobId);
    if (!queue) return;
    const at = queue.indexOf(entry);
    if (at >= 0) queue.splice(at, 1);
    if (queue.length === 0) {
      this.waiting.delete(entry.ticket.jobId);
      const index = this.jobOrder.indexOf(entry.ticket.jobId);
      this.jobOrder.splice(index, 1);
      if (index < this.nextJob) this.nextJob--;
    }
  }

  /** Milliseconds until a call of `tokens` may start, by the buckets alone. */
  bucketWait(tokens: number, now: number): number {
    return Math.max(this.requests?.waitFor(1, now) ?? 0, this.tokens?.waitFor(tokens, now) ?? 0);
  }

  charge(tokens: number, now: number): void {
    this.requests?.take(1, now);
    this.tokens?.take(tokens, now);
  }
}

export class Scheduler {
  private readonly lanes = new Map<string, Lane>();
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
  async run<T>(ticket: CallTicket, attempt: (attemptNumber: number) => Promise<T>, signal: AbortSignal): Promise<T> {
    const lane = this.lane(ticket.lane);
    let failures = 0;
    let rateLimited = 0;
    let atHead = false;
    for (let attemptNumber = 0; ; attemptNumber++) {
      await this.admit(lane, ticket, signal, atHead);
      let error: unknown;
      try {
        return await attempt(attemptNumber);
      } catch (caught) {
        error = caught;
      } finally {
        lane.inflight--;
        this.pump(lane);
      }
      if (!(error instanceof ProviderError) || error.kind === 'fatal' || signal.aborted) throw error;
      if (error.kind === 'rate_limited') {
        if (++rateLimited >= this.retry.maxRateLimitedAttempts) throw error;
        const delay = retryDelayMs(error, Math.min(rateLimited, 6), this.retry, this.random);
        lane.pausedUntil = Math.max(lane.pausedUntil, this.clock.now() + delay);
        this.notify(ticket, 'rate_limited', `waiting ${(delay / 1000).toFixed(1)} s: ${error.message}`);
        atHead = true;
        continue;
      }
      if (++failures >= this.retry.maxAttempts) throw error;
      const delay = retryDelayMs(error, failures - 1, this.retry, this.random);
      this.notify(ticket, 'retried', `retrying in ${(delay / 1000).toFixed(1)} s (try ${failures + 1} of ${this.retry.maxAttempts}): ${error.message}`);
      await this.clock.sleep(delay, signal);
      atHead = true;
    }
  }

  /** Corrects the token bucket once the provider reports what a call really used. */
  reconcile(ticket: CallTicket, actualTokens: number): void {
    this.lanes.get(ticket.lane)?.tokens?.adjust(ticket.tokens - actualTokens, this.clock.now());
  }

  /** Calls waiting or running, per lane: for the log and tests. */
  snapshot(): Record<string, { inflight: number; waiting: number }> {
    const out: Record<string, { inflight: number; waiting: number }> = {};
    for (const [name, lane] of this.lanes) {
      let waiting = 0;
      for (const queue of lane.waiting.values()) waiting += queue.length;
      out[name] = { inflight: lane.inflight, waiting };
    }
    return out;
  }

  private lane(name: string): Lane {
    let lane = this.lanes.get(name);
    if (!lane) {
      lane = new Lane(this.options.limitsFor?.(name) ?? null, this.options.defaultConcurrency ?? 256, this.clock.now());
      this.lanes.set(name, lane);
    }
    return lane;
  }

  private admit(lane: Lane, ticket: CallTicket, signal: AbortSignal, atHead: boolean): Promise<void> | void {
    signal.throwIfAborted();
    const now = this.clock.now();
    // Fast path: nobody waiting, room to run, buckets allow it now.
    if (!lane.queued && lane.inflight < lane.concurrency && lane.pausedUntil <= now && lane.bucketWait(ticket.tokens, now) === 0) {
      lane.charge(ticket.tokens, now);
      lane.inflight++;
      return;
    }
    return new Promise<void>((resolve, reject) => {
      const entry: Waiting = {
        ticket,
        resolve,
        reject,
        signal,
        onAbort: () => {
          lane.remove(entry);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', entry.onAbort, { once: true });
      lane.enqueue(entry, atHead);
      this.pump(lane);
    });
  }

  private pump(lane: Lane): void {
    for (;;) {
      const next = lane.peek();
      if (!next || lane.inflight >= lane.concurrency) return;
      const now = this.clock.now();
      const wait = Math.max(lane.pausedUntil - now, lane.bucketWait(next.ticket.tokens, now));
      if (wait > 0) {
        this.wake(lane, wait);
        return;
      }
      lane.shift();
      next.signal.removeEventListener('abort', next.onAbort);
      lane.charge(next.ticket.tokens, now);
      lane.inflight++;
      next.resolve();
    }
  }

  private wake(lane: Lane, afterMs: number): void {
    if (lane.timerArmed) return;
    lane.timerArmed = true;
    void this.clock.sleep(afterMs).then(() => {
      lane.timerArmed = false;
      this.pump(lane);
    });
  }

  private notify(ticket: CallTicket, type: SchedulerNotice['type'], message: string): void {
    this.options.notify?.({ jobId: ticket.jobId, type, lane: ticket.lane, message: `${ticket.lane}: ${message}` });
  }
}
