// What a 429 says: which of a lane's dimensions it was for (the ones its readings show short of what the call asked,
// or the one its message names); whether it was for too many calls at once instead; how much larger than our
// estimate the provider counted the prompt.
import type { RateLimitSnapshot } from '../providers/provider';
import { costOn, DIMENSIONS, type Dimension } from './dimensions';
import { fromMessage, type AdmissionMark } from './header-learning';

/** Provider units per unit we charge, by dimension (`remaining` in per-minute units of a 10 s window: 6). */
type ReadingScale = (dimension: Dimension) => number;
const SAME_UNITS: ReadingScale = () => 1;

export function rejectedOn(snapshot: RateLimitSnapshot | null, mark: AdmissionMark, modelled: Iterable<Dimension>, scale = SAME_UNITS): Dimension[] {
  const named: Dimension[] = [];
  for (const dimension of DIMENSIONS) {
    const reading = snapshot?.[dimension];
    if (!reading) continue;
    if (fromMessage(reading) || reading.named) named.push(dimension);
    else if (reading.remaining !== undefined && mark.costs && reading.remaining / scale(dimension) < costOn(dimension, mark.costs)) named.push(dimension);
  }
  return named.length > 0 ? named : [...modelled];
}

/**
 * After a 429 with headers: how much larger the call's prompt must be than we charged, for the provider to have
 * found it too big for what it says remained (1 when our charge did not fit anyway).
 */
export function promptShortfall(mark: AdmissionMark, snapshot: RateLimitSnapshot): number {
  const costs = mark.costs;
  if (!costs) return 1;
  // A 429 that names another dimension (requests) says nothing about how the provider counts this prompt.
  const named = rejectedOn(snapshot, mark, []);
  let factor = 1;
  for (const dimension of ['tokens', 'input_tokens'] as const) {
    if (named.length > 0 && !named.includes(dimension)) continue;
    const remaining = snapshot[dimension]?.remaining;
    const charged = costOn(dimension, costs);
    const input = costs.inputTokens ?? charged;
    if (remaining === undefined || charged > remaining || input <= 0) continue;
    factor = Math.max(factor, (remaining + 1 - (charged - input)) / input);
  }
  // Never more than twice our estimate: a reading that far off is about something else.
  return Math.min(2, factor);
}

/**
 * Whether a 429 was for too many calls at once, not for a rate: every limit it reports had plenty of room (twice what
 * the call asked: our estimate of a prompt may be a little short of the provider's count), in the units the lane has
 * seen it count in, and it named none; or a provider that reports its limits (`readable`) said nothing of them on it
 * (a gateway's limit in front of it).
 */
export function tooManyAtOnce(
  snapshot: RateLimitSnapshot | null,
  mark: AdmissionMark,
  named: readonly Dimension[],
  readable: boolean,
  scale = SAME_UNITS,
): boolean {
  if (snapshot === null) return readable;
  if (named.length > 0 || !Object.values(snapshot).some((reading) => reading?.remaining !== undefined)) return false;
  return DIMENSIONS.every((dimension) => {
    const remaining = snapshot[dimension]?.remaining;
    return remaining === undefined || !mark.costs || remaining / scale(dimension) >= 2 * costOn(dimension, mark.costs) + 1;
  });
}

/** What a turned-away call lacked on `dimension` by the 429's own reading, in our units (0 when it says nothing). */
export function shortOn(dimension: Dimension, snapshot: RateLimitSnapshot | null, mark: AdmissionMark, scale: number): number {
  const remaining = snapshot?.[dimension]?.remaining;
  if (remaining === undefined || !mark.costs) return 0;
  return Math.max(0, costOn(dimension, mark.costs) - remaining / scale);
}
