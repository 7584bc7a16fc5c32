// What a provider's rate-limit headers teach a lane. `limit` sets the bucket (per minute) when the configuration
// says nothing or more; `remaining` clamps our bucket, which also accounts for other clients of the same key.
// `remaining` was computed when the provider admitted the call, so what we charged (net of refunds) and what
// refilled since then is carried forward before clamping. A provider that enforces fixed windows gets a window
// bucket instead, once its reset instants show it. A 429 message that names the limit and what is used of it is
// read the same way, for providers that send no headers.
import type { LimitReading, RateLimitSnapshot } from '../providers/provider';
import { TokenBucket, type Bucket } from './bucket';
import { DIMENSION_WORDS, DIMENSIONS, type Dimension, type TicketCosts } from './dimensions';
import type { ModelTrust } from './model-trust';
import { ReadingBucket } from './reading-bucket';
import { RefillLearner } from './refill-learning';
import { WindowBucket, type WindowMark } from './window-bucket';
import type { WindowClock } from './window-clock';

export interface LearningBuckets {
  buckets: Map<Dimension, Bucket>;
  /** Configured per-minute limits: a ceiling that headers may lower, never raise. */
  configured: Partial<Record<Dimension, number>>;
  /** Everything charged on each dimension so far, net of what reconciling gave back. */
  charged: Record<Dimension, number>;
  /** The refill we really get per dimension (another tenant takes part): learned when present. */
  refill?: Map<Dimension, RefillLearner>;
  /** Per dimension, whether the provider enforces fixed windows on it, and when they turn over: learned when present. */
  windowsOf?(dimension: Dimension): WindowClock;
  /** Whether each dimension's model still agrees with the provider; and what to do when one does not. */
  trust?: ModelTrust;
  dropModel?(dimension: Dimension, reason: string, reading: LimitReading | undefined, mark: AdmissionMark | null, now: number): void;
  /** What the lane came to believe, for the job log. */
  say?(words: string): void;
}

/** Where a call's admission left the lane: its time, the running totals of charges, and its window buckets. */
export interface AdmissionMark {
  at: number;
  /** What the call was charged on admission. */
  costs?: TicketCosts;
  charged: Record<Dimension, number>;
  windows?: Partial<Record<Dimension, WindowMark>>;
  /** How many other calls of the lane were in flight when it went. */
  inflight?: number;
}

/** A reading from a 429's message: it says what was used, not what remains. */
export function fromMessage(reading: LimitReading | undefined): boolean {
  return reading !== undefined && reading.remaining === undefined && reading.used !== undefined;
}

/** The admission time of the latest reading each continuous bucket was set from. */
const latestRead = new WeakMap<TokenBucket, number>();

export function learnFromHeaders(lane: LearningBuckets, snapshot: RateLimitSnapshot, mark: AdmissionMark | null, now: number, admitted = true): void {
  for (const dimension of DIMENSIONS) {
    const said = snapshot[dimension];
    if (!said) continue;
    const { limit: stated, used, requested, resetMs } = said;
    const current = lane.buckets.get(dimension);
    if (current instanceof ReadingBucket) {
      if (said.remaining !== undefined) {
        const chargedSince = mark ? lane.charged[dimension] - mark.charged[dimension] : 0;
        current.read(mark?.at ?? now, said.remaining, resetMs, chargedSince, admitted);
      }
      continue;
    }
    // A model dropped for AIMD is not learned again from the readings that contradicted it.
    if (lane.trust?.dropped.has(dimension)) continue;
    if (lane.trust && lane.dropModel && mark && said.remaining !== undefined && !fromMessage(said)) {
      const reason = lane.trust.reading(dimension, mark.at, said.remaining, mark.charged[dimension]);
      if (reason) {
        lane.dropModel(dimension, reason, said, mark, now);
        continue;
      }
    }
    const clock = lane.windowsOf?.(dimension);
    if (clock && stated !== undefined && used !== undefined && requested !== undefined && resetMs !== undefined) {
      const at = mark?.at ?? now;
      clock.turnedAway(at, at + resetMs, stated, used, requested);
    }
    const reading: LimitReading = withRemaining(said, clock);
    const configured = lane.configured[dimension];
    const limit = reading.limit !== undefined && reading.limit > 0 ? Math.min(reading.limit, configured ?? Infinity) : undefined;
    if (learnWindow(lane, dimension, reading, limit, mark, now, fromMessage(said))) continue;
    const found = lane.buckets.get(dimension);
    if (found !== undefined && !(found instanceof TokenBucket)) continue;
    let bucket = found;
    if (limit !== undefined) {
      if (!bucket) {
        bucket = new TokenBucket(limit, limit / 60_000, now, reading.remaining ?? limit);
        lane.buckets.set(dimension, bucket);
      } else if (bucket.capacity !== limit) {
        bucket.reconfigure(limit, limit / 60_000, now);
      }
    }
    if (!bucket || reading.remaining === undefined) continue;
    if (mark && lane.refill) {
      let learner = lane.refill.get(dimension);
      if (!learner) lane.refill.set(dimension, (learner = new RefillLearner()));
      const fullRate = bucket.capacity / 60_000;
      const rate = learner.observe(mark.at, reading.remaining, mark.charged[dimension], bucket.capacity, fullRate, !fromMessage(said)) ?? fullRate;
      if (Math.abs(rate - bucket.rate) > 1e-9) bucket.reconfigure(bucket.capacity, rate, now);
    }
    const since = mark ? Math.max(0, now - mark.at) : 0;
    const chargedSince = mark ? lane.charged[dimension] - mark.charged[dimension] : 0;
    const left = reading.remaining + since * bucket.rate - chargedSince;
    // The latest reading may also say there is far more than we thought: a window that turned over, with no reset
    // header to show it. Older readings only ever lower the level.
    if (mark && admitted && mark.at >= (latestRead.get(bucket) ?? -Infinity)) {
      latestRead.set(bucket, mark.at);
      bucket.raise(left, now);
    }
    bucket.clamp(left, now);
  }
}

/**
 * A reading that says what was used rather than what remains (a 429 message): what remains is the limit's share
 * of the period the provider counts over (its window, once known; else the minute the limit is stated for).
 */
function withRemaining(reading: LimitReading, windows: WindowClock | undefined): LimitReading {
  if (reading.remaining !== undefined || reading.used === undefined || reading.limit === undefined) return reading;
  const span = windows?.windowed ? Math.min(60_000, windows.lengthMs()) : 60_000;
  return { ...reading, remaining: Math.max(0, (reading.limit * span) / 60_000 - reading.used) };
}

/** Feeds a reading to the window clock; once windows are recognised, keeps a window bucket. True when it did. */
function learnWindow(
  lane: LearningBuckets,
  dimension: Dimension,
  reading: LimitReading,
  limit: number | undefined,
  mark: AdmissionMark | null,
  now: number,
  fromMessage: boolean,
): boolean {
  const clock = lane.windowsOf?.(dimension);
  if (!clock || reading.remaining === undefined || reading.resetMs === undefined) return false;
  // A message's wait is until the call fits, not until a bucket is full: two calls of different sizes can name the
  // same instant with different room left, which is no sign of windows. Only `turnedAway` tells from messages.
  if (fromMessage && !clock.windowed) return false;
  const existing = lane.buckets.get(dimension);
  const perMinute = limit ?? existing?.capacity ?? Infinity;
  const at = mark?.at ?? now;
  const end = at + reading.resetMs;
  clock.observe(dimension, at, reading.remaining, end, reading.limit ?? perMinute, perMinute / 60_000, reading.limit);
  if (!clock.windowed) return false;
  const window = mark?.windows?.[dimension];
  if (window) clock.landed(at, window.end, end);
  // The per-minute limit over one window is the most a window can hold for us.
  const ceiling = (perMinute * clock.lengthMs()) / 60_000;
  const chargedSince = mark ? lane.charged[dimension] - mark.charged[dimension] : 0;
  let bucket: WindowBucket;
  if (existing instanceof WindowBucket) bucket = existing;
  else {
    // Recognised in the first window we use: everything we charged so far went into it.
    const quota = Math.min(ceiling, reading.remaining + (mark?.charged[dimension] ?? 0));
    bucket = new WindowBucket(quota, clock, reading.remaining - chargedSince, now);
    if (fromMessage || !lane.trust || lane.trust.readingsOf(dimension) === 0) bucket.unchecked();
    lane.buckets.set(dimension, bucket);
    lane.say?.(
      `${DIMENSION_WORDS[dimension]}: counted in windows of about ${(clock.lengthMs() / 1000).toFixed(1)} s (${fromMessage ? 'from 429 messages' : 'from the headers'}), ${Math.round(quota)} a window`,
    );
  }
  bucket.limitQuota(ceiling, now);
  bucket.observe(end, reading.remaining, window ?? null, chargedSince, ceiling, now);
  if ((bucket.contradicted || bucket.cameBackEarly || clock.drifting()) && lane.trust && lane.dropModel) {
    const reason = bucket.contradicted
      ? lane.trust.windowContradicted(dimension)
      : bucket.cameBackEarly
        ? lane.trust.windowCameBackEarly(dimension)
        : lane.trust.windowDrifting(dimension);
    if (reason) lane.dropModel(dimension, reason, reading, mark, now);
  }
  return true;
}
