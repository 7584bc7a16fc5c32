// What a provider's rate-limit headers teach a lane. `limit` sets the bucket (per minute) when the configuration
// says nothing or more; `remaining` clamps our bucket, which also accounts for other clients of the same key.
// `remaining` was computed when the provider admitted the call, so what we charged (net of refunds) and what
// refilled since then is carried forward before clamping.
import type { LimitReading, RateLimitSnapshot } from '../providers/provider';
import { TokenBucket } from './bucket';
import { DIMENSIONS, type Dimension } from './dimensions';
import { RefillLearner } from './refill-learning';

export interface LearningBuckets {
  buckets: Map<Dimension, TokenBucket>;
  /** Configured per-minute limits: a ceiling that headers may lower, never raise. */
  configured: Partial<Record<Dimension, number>>;
  /** Everything charged on each dimension so far, net of what reconciling gave back. */
  charged: Record<Dimension, number>;
  /** The refill we really get per dimension (another tenant takes part): learned when present. */
  refill?: Map<Dimension, RefillLearner>;
}

/** Where a call's admission left the lane: its time and the running totals of charges. */
export interface AdmissionMark {
  at: number;
  charged: Record<Dimension, number>;
}

export function learnFromHeaders(lane: LearningBuckets, snapshot: RateLimitSnapshot, mark: AdmissionMark | null, now: number): void {
  for (const dimension of DIMENSIONS) {
    const reading: LimitReading | undefined = snapshot[dimension];
    if (!reading) continue;
    let bucket = lane.buckets.get(dimension);
    const configured = lane.configured[dimension];
    if (reading.limit !== undefined && reading.limit > 0) {
      const limit = Math.min(reading.limit, configured ?? Infinity);
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
      const rate = learner.observe(mark.at, reading.remaining, mark.charged[dimension], reading.resetMs, bucket.capacity, fullRate) ?? fullRate;
      if (Math.abs(rate - bucket.rate) > 1e-9) bucket.reconfigure(bucket.capacity, rate, now);
    }
    const since = mark ? Math.max(0, now - mark.at) : 0;
    const chargedSince = mark ? lane.charged[dimension] - mark.charged[dimension] : 0;
    bucket.clamp(reading.remaining + since * bucket.rate - chargedSince, now);
  }
}
