// One lane per (service, model): its buckets on every limited dimension, the 429 pause, the fair queue of waiting
// calls, and the concurrency cap. Limits come from configuration, else from the provider's headers or its 429
// messages, else from AIMD.
import type { RateLimitSnapshot } from '../providers/provider';
import { AimdRate } from './aimd';
import { TokenBucket, type Bucket } from './bucket';
import { ConcurrencyCap } from './concurrency';
import { costOn, DIMENSIONS, providerChargeOn, usedOn, type Dimension, type TicketCosts, type Usage } from './dimensions';
import { EstimateScale } from './estimate-scale';
import { FairQueue, type FairEntry } from './fair-queue';
import { RateGuard, type RetryAfter } from './guard';
import { fromMessage, learnFromHeaders, type AdmissionMark } from './header-learning';
import { LaneModels, type ConfiguredLimits } from './lane-models';
import type { ModelTrust } from './model-trust';
import { CREEP_QUIET_MS, creepRefills } from './refill-learning';
import { ReadingBucket } from './reading-bucket';
import { rejectedOn, shortOn, tooManyAtOnce } from './rejection';
import { WindowBucket, type WindowMark } from './window-bucket';
import { WindowPlanner } from './window-planner';

export interface LaneLimits {
  requestsPerMinute?: number | undefined;
  tokensPerMinute?: number | undefined;
  inputTokensPerMinute?: number | undefined;
  outputTokensPerMinute?: number | undefined;
  maxConcurrency?: number | undefined;
}

const LIMIT_KEY: Record<Dimension, keyof LaneLimits> = {
  requests: 'requestsPerMinute',
  tokens: 'tokensPerMinute',
  input_tokens: 'inputTokensPerMinute',
  output_tokens: 'outputTokensPerMinute',
};

/** How often a lane waiting for its first reply looks again (a reply also wakes it). */
const FIRST_REPLY_POLL_MS = 250;
export interface Admissible extends TicketCosts {
  readonly lane: string;
}

export interface Wait {
  ms: number;
  /** The dimension we wait for, or null when the lane is paused after a 429. */
  dimension: Dimension | null;
}

export class Lane<W extends FairEntry> {
  /** Calls out now. */
  private out = 0;
  /** Safety that does not depend on the models: the pause after a 429, the send ceiling, conservative mode. */
  readonly guard = new RateGuard();
  /** What the lane came to believe and why, for the job log of the call that taught it (drained by the scheduler). */
  private readonly said: string[] = [];
  /** When the provider last admitted one of our calls. */
  private lastAdmitted = -Infinity;
  /** When the lane's pending wake-up fires (Infinity: none). */
  private wakeUp = Infinity;
  readonly queue = new FairQueue<W>();
  /** The models of the provider's limits, per dimension: changed by what the provider says, never from outside. */
  private readonly models: LaneModels;
  /** What the calls in flight were charged: the most their refunds can give back. */
  private readonly inflightCharged: Record<Dimension, number> = { requests: 0, tokens: 0, input_tokens: 0, output_tokens: 0 };
  private readonly averageCost: Record<Dimension, number> = { requests: 1, tokens: 0, input_tokens: 0, output_tokens: 0 };
  /** What the scheduler asks when it packs a fixed window; it also keeps the calls in flight and their refunds. */
  readonly windowPlan: WindowPlanner;
  /** Only when neither configuration nor headers say anything: a rate on the calls' total tokens. */
  readonly aimd = new AimdRate();
  private readonly concurrency: ConcurrencyCap;
  /** When the provider last said anything about its limits, and when a quiet lane last raised its refill. */
  private readAt = -Infinity;
  /** When the call whose reply carried the latest reading was admitted, and whether a 429 message was the reading. */
  private readFrom = -Infinity;
  private readFromMessage = false;
  private probedAt = -Infinity;
  /** How far the provider's count of our prompts runs from our estimates. */
  private readonly estimates = new EstimateScale();

  constructor(
    readonly name: string,
    limits: LaneLimits | null,
    ceiling: number,
    now: number,
  ) {
    const configured: ConfiguredLimits = {};
    for (const dimension of DIMENSIONS) configured[dimension] = limits?.[LIMIT_KEY[dimension]];
    this.models = new LaneModels(configured, now, (words) => this.said.push(words));
    this.windowPlan = new WindowPlanner(this.models.buckets, this.averageCost, this.inflightCharged);
    this.concurrency = new ConcurrencyCap(limits?.maxConcurrency ?? ceiling);
  }

  get inflight(): number {
    return this.out;
  }

  get admittedAt(): number {
    return this.lastAdmitted;
  }

  /** The lane's models by dimension, to read (the scheduler's stats, tests). */
  get buckets(): ReadonlyMap<Dimension, Bucket> {
    return this.models.buckets;
  }

  get trust(): ModelTrust {
    return this.models.trust;
  }

  /** What the lane came to believe since it was last asked, in order. */
  get words(): readonly string[] {
    return this.said;
  }

  takeWords(): string[] {
    return this.said.splice(0);
  }

  /** When the lane's pending wake-up fires (Infinity: none). */
  get wakeAt(): number {
    return this.wakeUp;
  }

  /** A wake-up was armed for `at`; or, with `fired`, the one armed for `at` went off. */
  wake(at: number, fired = false): void {
    if (!fired) this.wakeUp = at;
    else if (this.wakeUp === at) this.wakeUp = Infinity;
  }

  /** How long after a window's end a call may still land in it, on the windowed dimension that says longest. */
  get windowMarginMs(): number {
    return this.models.windowMarginMs();
  }

  get pausedUntil(): number {
    return this.guard.pausedUntil;
  }

  /** Neither configured nor learned from headers: AIMD decides the rate. */
  get blind(): boolean {
    return this.models.buckets.size === 0;
  }

  /** A model dropped with no readings to replace it: AIMD decides the rate under what is configured. */
  private get aimdFallback(): boolean {
    return this.blind || [...this.models.trust.dropped.keys()].some((dimension) => !(this.models.buckets.get(dimension) instanceof ReadingBucket));
  }

  /** The provider enforces fixed windows on some dimension (learned from its headers). */
  get windowed(): boolean {
    for (const bucket of this.models.buckets.values()) if (bucket instanceof WindowBucket) return true;
    return false;
  }

  get latencyMs(): number | null {
    return this.concurrency.latency;
  }

  /** How many calls may run at once now. */
  cap(): number {
    let burst = Infinity;
    for (const [dimension, bucket] of this.models.buckets) {
      if (dimension === 'output_tokens' && this.averageCost.output_tokens === 0) continue;
      burst = Math.min(burst, bucket.capacity / Math.max(this.averageCost[dimension], 1));
    }
    return Math.min(this.guard.inflightCap(), this.concurrency.cap(this.callsPerMs(), burst === Infinity ? 0 : burst));
  }

  /** Milliseconds until a call may start, by the pause and the buckets, and what it waits for. */
  wait(ticket: TicketCosts, now: number): Wait {
    let wait: Wait = { ms: this.guard.wait(now), dimension: null };
    for (const [dimension, bucket] of this.models.buckets) {
      const cost = costOn(dimension, ticket);
      const ms = bucket instanceof WindowBucket ? bucket.waitFor(cost, now, this.inflight === 0) : bucket.waitFor(cost, now);
      if (ms > wait.ms) wait = { ms, dimension };
    }
    // Until the provider's readings have shown how it counts a dimension (a few of them, or windows recognised), its
    // limit may be enforced in windows as short as a second: no more is in flight than a second's share of it (at
    // least one call). Its headers may state it per minute while counting a tenth of it over ten seconds.
    for (const [dimension, perMinute] of this.models.firstBurstLimits(this.latencyMs !== null)) {
      const sent = this.inflightCharged[dimension];
      if (sent > 0 && sent + costOn(dimension, ticket) > perMinute / 60 && wait.ms < FIRST_REPLY_POLL_MS) wait = { ms: FIRST_REPLY_POLL_MS, dimension };
    }
    const blind = this.blindBucket(now);
    if (blind) {
      const ms = blind.waitFor(ticket.tokens, now);
      if (ms > wait.ms) wait = { ms, dimension: 'tokens' };
    }
    return wait;
  }

  /**
   * How long calls may be held back for fairness at no cost to the run: while some bucket is short of both half its
   * capacity (below that it loses no refill while calls wait) and all but one of the queued calls (which would wait
   * for it anyway). 0 when no bucket is, for fixed windows (whose unused quota is lost at their end), and for a
   * lane that knows no limit at all.
   */
  holdMs(now: number): number {
    if (this.windowed) return 0;
    const queued = Math.max(0, this.queue.size - 1);
    let ms = 0;
    const hold = (bucket: Bucket, perCall: number) => {
      const short = Math.min(bucket.capacity / 2, queued * perCall) - bucket.level(now);
      if (short > 0) ms = Math.max(ms, short / bucket.rate);
    };
    for (const [dimension, bucket] of this.models.buckets) hold(bucket, this.averageCost[dimension]);
    const blind = this.blindBucket(now);
    if (blind) hold(blind, this.averageCost.tokens);
    return ms;
  }

  /** What a call will be charged (see EstimateScale.chargeFor), times `inflation` when the provider turned it away. */
  costsOf(ticket: TicketCosts, inflation = 1, last = false): TicketCosts {
    return this.estimates.chargeFor(ticket, inflation, { last, windowed: this.windowed, blind: this.blind });
  }

  /** Learns how far our prompt estimates are from what the provider counted. */
  learnEstimate(ticket: TicketCosts, usage: Usage): void {
    this.estimates.learn(ticket.inputTokens ?? ticket.tokens - (ticket.outputTokens ?? 0), usage.input);
  }

  charge(ticket: TicketCosts, now: number): AdmissionMark {
    this.guard.sent(now);
    let windows: Partial<Record<Dimension, WindowMark>> | undefined;
    for (const dimension of DIMENSIONS) {
      const cost = costOn(dimension, ticket);
      this.models.charged[dimension] += cost;
      this.inflightCharged[dimension] += cost;
      this.averageCost[dimension] = this.averageCost[dimension] === 0 ? cost : this.averageCost[dimension] * 0.95 + cost * 0.05;
      const bucket = this.models.buckets.get(dimension);
      if (bucket instanceof WindowBucket) (windows ??= {})[dimension] = bucket.admit(cost, now);
      else bucket?.take(cost, now);
    }
    this.models.sent(now);
    this.probe(now);
    this.aimd.onAdmitted(now, ticket.tokens);
    this.blindBucket(now)?.take(ticket.tokens, now);
    const mark: AdmissionMark = { at: now, costs: ticket, charged: { ...this.models.charged }, inflight: this.out };
    this.out++;
    if (windows) mark.windows = windows;
    this.windowPlan.outstanding.add(mark);
    return mark;
  }

  /** A call admitted with `mark` is back, done or failed. */
  finished(mark: AdmissionMark): void {
    this.out--;
    for (const [dimension, bucket] of this.models.buckets) {
      if (bucket instanceof ReadingBucket) bucket.settled(mark.at);
      else if (bucket instanceof WindowBucket) bucket.settled(mark.windows?.[dimension]);
    }
    this.windowPlan.outstanding.delete(mark);
    for (const dimension of DIMENSIONS) this.inflightCharged[dimension] -= mark.costs ? costOn(dimension, mark.costs) : 0;
  }

  say(words: string): void {
    this.said.push(words);
  }

  /** The provider admitted the call admitted with `mark`: its headers or its reply came back. */
  admitted(mark: AdmissionMark, now: number): void {
    this.lastAdmitted = now;
    for (const [dimension, bucket] of this.models.buckets) {
      if (!(bucket instanceof WindowBucket) || !bucket.probeAdmitted(mark.windows?.[dimension])) continue;
      const reason = this.models.trust.windowHeldMore(dimension);
      if (reason) this.models.dropModel(dimension, reason, undefined, mark, now);
    }
    this.concurrency.onAdmitted();
    const words = this.guard.admitted(mark.at, now, this.concurrency.cap(this.callsPerMs(), 0), mark.inflight);
    if (words) this.said.push(words);
  }

  onSuccess(ticket: TicketCosts, latencyMs: number, now: number): void {
    this.concurrency.observeLatency(latencyMs);
    this.aimd.onSuccess(ticket.tokens, now);
  }

  /** A reading; `admitted` is false when it came with a 429 (the call was turned away). */
  learn(snapshot: RateLimitSnapshot, mark: AdmissionMark | null, now: number, admitted = true): void {
    this.readAt = now;
    // Without a mark, a reading takes everything charged so far as counted: none of it is charged since.
    this.readFrom = mark?.at ?? Infinity;
    this.readFromMessage = Object.values(snapshot).some(fromMessage);
    // Whatever a reading names teaches that dimension's model from now on (a 429 message with only the limit too):
    // 429s of calls sent after it count against the model.
    for (const dimension of DIMENSIONS) if (snapshot[dimension]) this.models.trust.taught(dimension, now);
    learnFromHeaders(this.models, snapshot, mark, now, admitted);
  }

  /** Gives back what a call was charged beyond what it used (or charges the excess). */
  reconcile(ticket: TicketCosts, usage: Usage, now: number, mark: AdmissionMark | null = null): void {
    // The ledger is net of refunds: the provider refunded this call too, and a `remaining` read before the refund
    // must not take it back (a slow call's reply would otherwise stall the lane for its whole latency's refunds).
    for (const dimension of DIMENSIONS) this.models.charged[dimension] -= costOn(dimension, ticket) - usedOn(dimension, usage);
    const allowance = ticket.outputTokens ?? 0;
    if (mark && allowance > 0 && this.windowPlan.outstanding.delete(mark))
      this.windowPlan.returns.observe(now - mark.at, (allowance - usage.output) / allowance);
    for (const [dimension, bucket] of this.models.buckets) {
      const providerCharge = providerChargeOn(dimension, ticket, usage);
      bucket.giveBack(providerCharge - usedOn(dimension, usage), costOn(dimension, ticket) - providerCharge, mark?.windows?.[dimension], now);
    }
    this.blindBucket(now)?.adjust(ticket.tokens - usage.input - usage.output, now);
  }

  /** A rejected call: the provider charged it nothing, so neither do we (nor the mark its headers are read against). */
  refund(mark: AdmissionMark, now: number): void {
    const ticket = mark.costs;
    if (!ticket) return;
    // A token bucket keeps the charge (the 429's `remaining` clamps it next; given back, it let calls in ahead of
    // another tenant), unless a 429 message read since this call went out set the bucket net of it, as if the
    // provider had counted it: kept, it would be charged twice.
    const countedSince = this.readFromMessage && this.readAt >= mark.at && this.readFrom <= mark.at;
    for (const dimension of DIMENSIONS) {
      const cost = costOn(dimension, ticket);
      this.models.charged[dimension] -= cost;
      mark.charged[dimension] -= cost;
      const window = mark.windows?.[dimension];
      if (window) window.used -= cost;
      const bucket = this.models.buckets.get(dimension);
      if (bucket && (!(bucket instanceof TokenBucket) || countedSince)) bucket.giveBack(0, cost, window, now);
    }
    this.blindBucket(now)?.adjust(ticket.tokens, now);
  }

  /**
   * A 429 for the call admitted with `mark`. The guard pauses the lane (retry-after, else a backoff), caps its sends
   * at what went before and, on a burst, turns it conservative. The dimensions the provider named (or, when it named
   * none, every dimension we model) take a strike against their models; a model struck often enough is dropped. A
   * lane without headers empties its buckets to wait a refill, and a blind one lowers its rate.
   */
  onRateLimited(retryAfter: RetryAfter, snapshot: RateLimitSnapshot | null, mark: AdmissionMark, now: number, random: () => number): void {
    const verdict = this.guard.rateLimited(mark.at, retryAfter, now, random());
    if (verdict.words) this.said.push(verdict.words);
    if (verdict.burst) this.concurrency.restart(this.guard.inflightCap());
    const scale = (dimension: Dimension) => this.models.trust.scale(dimension);
    const named = rejectedOn(snapshot, mark, [], scale);
    this.models.learnUnits(snapshot, mark);
    // Every limit it reports had room for the call, or a provider that reports its limits said nothing of them on this
    // 429, and calls sent with more out were not admitted lately: too many calls at once (a gateway's limit), no rate.
    const atOnce =
      tooManyAtOnce(
        snapshot,
        mark,
        named,
        DIMENSIONS.some((dimension) => this.models.trust.readingsOf(dimension) > 0),
        scale,
      ) && this.overCapacity(mark, now);
    for (const dimension of atOnce ? [] : named.length > 0 ? named : [...this.models.buckets.keys()]) {
      const bucket = this.models.buckets.get(dimension);
      if (bucket instanceof ReadingBucket) bucket.rejected(verdict.until, now, shortOn(dimension, snapshot, mark, bucket.scale));
      // A call sent to read again where the model saw no room, turned away: the model was right.
      else if (bucket instanceof WindowBucket && mark.windows?.[dimension]?.probe) bucket.probeRefused(now);
      else if (bucket) {
        const reason = this.models.trust.rejected(dimension, mark.at, now, this.guard.recentSends(now));
        if (reason) this.models.dropModel(dimension, reason, snapshot?.[dimension], mark, now, verdict.until);
      }
    }
    if (snapshot === null) {
      for (const bucket of this.models.buckets.values()) if (bucket instanceof TokenBucket) bucket.clamp(0, now);
    }
    if (this.aimdFallback) {
      // A fixed debounce from the episode's first 429, long enough for the calls already in flight to come back.
      this.aimd.onRateLimited(now, Math.max(2000, 2 * (this.latencyMs ?? 1000)));
      this.blindBucket(now)?.clamp(0, now);
    }
  }

  /** A refusal no rate its readings show explains (a 429, a 503 overload): too many at once? (guard.overCapacity) */
  overCapacity(mark: AdmissionMark, now: number): boolean {
    const { atOnce, words } = this.guard.overCapacity(mark.inflight ?? this.inflight, now);
    if (words) this.said.push(words);
    return atOnce;
  }

  /** Raises refills learned below their limit while the provider says nothing (see creepRefills). */
  private probe(now: number): void {
    const from = Math.max(this.probedAt, this.readAt + CREEP_QUIET_MS);
    this.probedAt = now;
    if (now > from) creepRefills(this.models.buckets.values(), from, now);
  }

  private callsPerMs(): number | null {
    let calls: number | null = null;
    for (const [dimension, bucket] of this.models.buckets) {
      const perCall = Math.max(this.averageCost[dimension], 1e-9);
      if (dimension === 'output_tokens' && this.averageCost.output_tokens === 0) continue;
      calls = Math.min(calls ?? Infinity, bucket.rate / perCall);
    }
    const aimd = this.blindBucket(null)?.rate;
    if (aimd !== undefined) calls = Math.min(calls ?? Infinity, aimd / Math.max(this.averageCost.tokens, 1));
    return calls;
  }

  /** The AIMD bucket, its rate brought up to date; null while the lane has real limits or no 429 yet. */
  private blindBucket(now: number | null): TokenBucket | null {
    return this.aimdFallback ? this.aimd.bucket(now) : null;
  }
}
