// The refill rate we really get, learned from `remaining` headers. A client we cannot see on the same key (another
// tenant) takes part of every refill, so a bucket refilled at the full limit keeps over-admitting between clamps
// and meets 429s. `remaining + everything we charged (net of refunds)` grows at exactly the refill we get while
// the provider's bucket is neither full nor reset by a window, so its slope over a few seconds is that rate. When
// the tenant leaves the slope rises again and the rate recovers (never above the limit).

/** How far apart the two readings of a slope are: long enough to average out calls in flight. */
const BASELINE_MS = 10_000;
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
  /** When the provider said its bucket would be full or its window would reset. */
  resetAt: number | null;
}

export class RefillLearner {
  private readonly readings: Reading[] = [];
  /** Fixed windows (reset instants that stand still while `remaining` moves): slopes mean nothing there. */
  windowed = false;

  /**
   * One reading taken at admission time `at`; returns the rate (per ms) to refill at, or null to keep the
   * limit's. `capacity` and `fullRate` are the limit's.
   */
  observe(at: number, remaining: number, netCharged: number, resetMs: number | undefined, capacity: number, fullRate: number): number | null {
    const reading: Reading = { at, level: remaining + netCharged, remaining, resetAt: resetMs === undefined ? null : at + resetMs };
    for (const other of this.readings) {
      // A window's end is the same instant for every call in it. A bucket's "full at" moves later by what was
      // taken from it (÷ its rate), so an earlier reading with more remaining and the same instant means windows.
      const [early, late] = other.at <= at ? [other, reading] : [reading, other];
      if (early.resetAt === null || late.resetAt === null) continue;
      if (early.remaining - late.remaining > 100 * fullRate && Math.abs(early.resetAt - late.resetAt) < 20) this.windowed = true;
    }
    this.readings.push(reading);
    while (this.readings.length > 0 && this.readings[0]!.at < at - HISTORY_MS) this.readings.shift();
    if (this.windowed) return null;
    // The latest reading at least a baseline older, with both well below full (a full bucket wastes refill).
    let base: Reading | undefined;
    for (const other of this.readings) if (other.at <= at - BASELINE_MS && (!base || other.at > base.at)) base = other;
    if (!base || base.remaining > capacity / 2 || remaining > capacity / 2) return null;
    const slope = (reading.level - base.level) / (reading.at - base.at);
    return slope < fullRate * LOWER_BELOW ? Math.max(slope, fullRate * FLOOR) : null;
  }
}
