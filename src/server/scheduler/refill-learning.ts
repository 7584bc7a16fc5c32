// The refill rate we really get, learned from `remaining` headers. A client we cannot see on the same key (another
// tenant) takes part of every refill, so a bucket refilled at the full limit keeps over-admitting between clamps
// and meets 429s. `remaining + everything we charged (net of refunds)` grows at exactly the refill we get while
// the provider's bucket is neither full nor reset by a window, so its slope over a few seconds is that rate. When
// the tenant leaves the slope rises again and the rate recovers (never above the limit).
import { TokenBucket, type Bucket } from './bucket';

/** How far apart the two readings of a slope are: long enough to average out calls in flight. */
const BASELINE_MS = 10_000;
/** Until a reading is a baseline old, a first rate from readings this far apart: another tenant costs from the start. */
const FIRST_BASELINE_MS = 3_000;
const HISTORY_MS = 30_000;
/** Below this share of the limit's rate, the measured one replaces it; above, the limit's rate stands. */
const LOWER_BELOW = 0.97;
/** The rate never drops below this share of the limit's on one measurement: a glitch must not stall a lane. */
const FLOOR = 0.2;

interface Reading {
  at: number;
  /** remaining + our net charges at admission */
  level: number;
  remaining: number;
}

export class RefillLearner {
  private readonly readings: Reading[] = [];
  /**
   * The most `remaining` ever read: what "full" looks like in the provider's own count. A provider that counts over a
   * second and reports per window never shows more than a second's share of the per-minute limit, and every reading
   * would look "well below full" against the limit: the slope would be only what we sent, and the rate would follow
   * it down (learned 60 requests a minute against 201, with no 429 ever to say otherwise).
   */
  private most = 0;

  /**
   * One reading taken at admission time `at`; returns the rate (per ms) to refill at, or null to keep the
   * limit's. `capacity` and `fullRate` are the limit's; `fromHeaders` is false for a 429 message's reading.
   */
  observe(at: number, remaining: number, netCharged: number, capacity: number, fullRate: number, fromHeaders = true): number | null {
    const reading: Reading = { at, level: remaining + netCharged, remaining };
    this.readings.push(reading);
    while (this.readings.length > 0 && this.readings[0]!.at < at - HISTORY_MS) this.readings.shift();
    // Both readings well below full (a full bucket wastes refill): the latest a baseline older, else the oldest
    // a first baseline older.
    // A 429 message says what is left at a 429: no sign of what full looks like.
    if (fromHeaders) this.most = Math.max(this.most, remaining);
    const full = this.most > 0 ? Math.min(capacity, this.most) : capacity;
    if (remaining > full / 2) return null;
    let base: Reading | undefined;
    let first: Reading | undefined;
    for (const other of this.readings) {
      if (other.remaining > full / 2) continue;
      if (other.at <= at - BASELINE_MS && (!base || other.at > base.at)) base = other;
      if (other.at <= at - FIRST_BASELINE_MS && (!first || other.at < first.at)) first = other;
    }
    base ??= first;
    if (!base) return null;
    const slope = (reading.level - base.level) / (reading.at - base.at);
    return slope < fullRate * LOWER_BELOW ? Math.max(slope, fullRate * FLOOR) : null;
  }
}

/** How long a lane hears nothing about its limits before it raises a learned refill, and by how much a second. */
export const CREEP_QUIET_MS = 2000;
const CREEP_PER_SECOND = 0.01;

/**
 * A provider that speaks only in 429s says nothing while we stay under its limit: a refill learned below the
 * limit's then creeps back up, 1% a second since `from`, so a rate learned too low is found out by the next 429, not
 * kept.
 */
export function creepRefills(buckets: Iterable<Bucket>, from: number, now: number): void {
  for (const bucket of buckets) {
    const full = bucket.capacity / 60_000;
    if (bucket instanceof TokenBucket && bucket.rate < full) {
      bucket.reconfigure(bucket.capacity, Math.min(full, bucket.rate * (1 + (CREEP_PER_SECOND * (now - from)) / 1000)), now);
    }
  }
}
