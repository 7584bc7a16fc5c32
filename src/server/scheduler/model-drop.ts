// What replaces a dimension's model once the provider contradicted it (model-trust.ts says when):
// - a provider that sends readings: the reading bucket, which believes only them (reading-bucket.ts);
// - one that speaks only in 429s: nothing of its own — AIMD finds the rate, under a configured limit kept as a plain
//   bucket. The dropped model must go too, or it goes on holding the lane to what it got wrong (a window of a
//   fiftieth of the limit, learned from one 429 message, once held a job to 2% of its rate for an hour).
import type { LimitReading } from '../providers/provider';
import { TokenBucket, type Bucket } from './bucket';
import { DIMENSION_WORDS, type Dimension } from './dimensions';
import { ReadingBucket } from './reading-bucket';

export interface Replacement {
  /** The dimension's new bucket (null: none, AIMD alone decides). */
  bucket: Bucket | null;
  /** For the job log. */
  words: string;
}

export function replacementModel(
  dimension: Dimension,
  reason: string,
  o: {
    reading: LimitReading | undefined;
    /** The dropped model's capacity, if any. */
    capacity: number | undefined;
    configured: number | undefined;
    /** Readings the provider sent on the dimension, and provider units per unit we charge. */
    readings: number;
    scale: number;
    /** The admission the reading came with, our net charges since it, and until when the lane is paused. */
    at: number;
    chargedSince: number;
    until: number;
    now: number;
  },
): Replacement {
  const stated = o.reading?.limit ?? o.capacity;
  const perMinute = Math.min(stated ?? Infinity, o.configured ?? Infinity);
  const words = `${DIMENSION_WORDS[dimension]}: ${reason}: model dropped`;
  if (o.readings === 0 || perMinute === Infinity) {
    const bucket = o.configured !== undefined ? new TokenBucket(o.configured, o.configured / 60_000, o.now, 0) : null;
    return { bucket, words: `${words}, honouring retry-after and finding the rate by AIMD` };
  }
  const bucket = ReadingBucket.after(o.reading, {
    at: o.at,
    chargedSince: o.chargedSince,
    until: o.until,
    now: o.now,
    perMinute,
    scale: o.scale,
    ceiling: o.configured,
  });
  return {
    bucket,
    words: `${words}, honouring retry-after and sending only what its readings say is left${o.scale > 1.05 ? ` (÷${o.scale.toFixed(1)})` : ''}`,
  };
}
