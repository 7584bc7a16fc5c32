// What a lane believes about its provider's limits, one model per dimension: the buckets, the configured ceilings,
// what was charged, the refill learned, each dimension's window clock, and whether the provider still agrees with
// each model. The lane owns one; header learning (header-learning.ts) and model drops change it only here, never the
// lane's own state (its queue, what is in flight, its pause).
import type { LimitReading, RateLimitSnapshot } from '../providers/provider';
import { TokenBucket, type Bucket } from './bucket';
import { costOn, DIMENSIONS, type Dimension } from './dimensions';
import type { AdmissionMark, LearningBuckets } from './header-learning';
import { ModelTrust } from './model-trust';
import { replacementModel } from './model-drop';
import type { RefillLearner } from './refill-learning';
import { ReadingBucket } from './reading-bucket';
import { WindowBucket } from './window-bucket';
import { WindowClock } from './window-clock';

/** Readings of a dimension that show how the provider counts it, before a first burst larger than a second's share. */
const FIRST_BURST_READINGS = 7;

/** The configured per-minute limits a lane starts from, by dimension. */
export type ConfiguredLimits = Partial<Record<Dimension, number>>;

export class LaneModels implements LearningBuckets {
  readonly buckets = new Map<Dimension, Bucket>();
  readonly configured: ConfiguredLimits = {};
  readonly charged: Record<Dimension, number> = { requests: 0, tokens: 0, input_tokens: 0, output_tokens: 0 };
  readonly refill = new Map<Dimension, RefillLearner>();
  /** Whether each dimension's model still agrees with the provider. */
  readonly trust = new ModelTrust();
  /** One window clock per dimension: a provider may count requests over 10 s and tokens over a minute. */
  private readonly clocks = new Map<Dimension, WindowClock>();
  private firstSentAt = Infinity;

  constructor(
    configured: ConfiguredLimits,
    now: number,
    /** Words for the job log. */
    readonly say: (words: string) => void,
  ) {
    for (const dimension of DIMENSIONS) {
      const perMinute = configured[dimension];
      if (!perMinute) continue;
      this.configured[dimension] = perMinute;
      this.buckets.set(dimension, new TokenBucket(perMinute, perMinute / 60_000, now));
    }
  }

  windowsOf(dimension: Dimension): WindowClock {
    let clock = this.clocks.get(dimension);
    if (!clock) {
      this.clocks.set(dimension, (clock = new WindowClock()));
      // The first window cannot have started after our first call: its length is bounded from there.
      if (this.firstSentAt < Infinity) clock.sent(this.firstSentAt);
    }
    return clock;
  }

  /** A call went out at `now`: every clock bounds its first window from it. */
  sent(now: number): void {
    this.firstSentAt = Math.min(this.firstSentAt, now);
    for (const clock of this.clocks.values()) clock.sent(now);
  }

  /** How long after a window's end a call may still land in it, on the windowed dimension that says longest. */
  windowMarginMs(): number {
    return Math.max(0, ...[...this.buckets].filter(([, bucket]) => bucket instanceof WindowBucket).map(([dimension]) => this.windowsOf(dimension).marginMs));
  }

  /**
   * The per-minute limits the first burst is bounded by: those configured or stated, on dimensions not yet read
   * enough. `replied`: a first reply came back (one that carried no readings has nothing more to show).
   */
  firstBurstLimits(replied: boolean): [Dimension, number][] {
    const out: [Dimension, number][] = [];
    for (const dimension of DIMENSIONS) {
      const bucket = this.buckets.get(dimension);
      if (bucket instanceof WindowBucket || bucket instanceof ReadingBucket) continue;
      const perMinute = this.configured[dimension] ?? bucket?.capacity;
      if (perMinute === undefined) continue;
      const read = this.trust.readingsOf(dimension);
      if (read >= FIRST_BURST_READINGS || (read === 0 && replied)) continue;
      out.push([dimension, perMinute]);
    }
    return out;
  }

  /**
   * A 429 whose message named a limit its `remaining` showed plenty of room on: the provider counts in larger units
   * than the lane thought (model-trust.ts, refusedWithRoom), and a reading bucket left on it shrinks to match.
   */
  learnUnits(snapshot: RateLimitSnapshot | null, mark: AdmissionMark): void {
    if (!snapshot || !mark.costs) return;
    for (const dimension of DIMENSIONS) {
      const reading = snapshot[dimension];
      if (!reading?.named || reading.remaining === undefined) continue;
      if (!this.trust.refusedWithRoom(dimension, reading.remaining, costOn(dimension, mark.costs))) continue;
      const bucket = this.buckets.get(dimension);
      if (bucket instanceof ReadingBucket) bucket.rescale(this.trust.scale(dimension));
    }
  }

  /** Drops a dimension's model, contradicted by the provider, for what model-drop.ts says; says so in the job log. */
  dropModel(dimension: Dimension, reason: string, reading: LimitReading | undefined, mark: AdmissionMark | null, now: number, until = now): void {
    if (!this.trust.dropped.has(dimension)) this.trust.dropped.set(dimension, reason);
    const { bucket, words } = replacementModel(dimension, reason, {
      reading,
      capacity: this.buckets.get(dimension)?.capacity,
      configured: this.configured[dimension],
      readings: this.trust.readingsOf(dimension),
      scale: this.trust.scale(dimension),
      at: mark?.at ?? now,
      chargedSince: mark ? this.charged[dimension] - mark.charged[dimension] : 0,
      until,
      now,
    });
    if (bucket) this.buckets.set(dimension, bucket);
    else this.buckets.delete(dimension);
    this.say(words);
  }
}
