// Which of a lane's dimensions a 429 was for: the ones its readings show short of what the call asked, or the one
// its message names (`used` and `requested` of a limit). When it says neither, every dimension the lane models.
import type { RateLimitSnapshot } from '../providers/provider';
import { costOn, DIMENSIONS, type Dimension } from './dimensions';
import { fromMessage, type AdmissionMark } from './header-learning';

export function rejectedOn(snapshot: RateLimitSnapshot | null, mark: AdmissionMark, modelled: Iterable<Dimension>): Dimension[] {
  const named: Dimension[] = [];
  for (const dimension of DIMENSIONS) {
    const reading = snapshot?.[dimension];
    if (!reading) continue;
    if (fromMessage(reading)) named.push(dimension);
    else if (reading.remaining !== undefined && mark.costs && reading.remaining < costOn(dimension, mark.costs)) named.push(dimension);
  }
  return named.length > 0 ? named : [...modelled];
}
